import assert from 'node:assert/strict'
import fs from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { waitForOutput } from '../helpers/output.js'
import { isAlive } from '../helpers/pids.js'
import { useTestStore } from '../helpers/store.js'

const LISTEN = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'listen.mjs')

/** What a failed assertion should say about a process that survived. */
function describeProcess(pid: number, taskId: string): string {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1')
    const env = fs.readFileSync(`/proc/${pid}/environ`, 'latin1')
    return `pid ${pid} survived: ${stat.slice(0, 120)}; carries ${taskId}: ${env.includes(`BGBASH_TASK_ID=${taskId}`)}`
  } catch (error) {
    return `pid ${pid}: ${String(error)}`
  }
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1')
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}

test('kill ends a setsid double-forked grandchild that holds a port, and the port is free', async (t) => {
  const tm = await (await useTestStore(t)).open()
  // The grandchild leaves the task's session and group and is reparented away from the shell.
  const command = `setsid sh -c '(${process.execPath} ${LISTEN} &)' ; sleep 30 & echo "SLEEPER $!"; wait`
  const { taskId } = await tm.spawn({ command })
  const [, port, listenerPid] = await waitForOutput(tm, taskId, /PORT (\d+) PID (\d+)/)
  const [, sleeperPid] = await waitForOutput(tm, taskId, /SLEEPER (\d+)/)
  assert.equal(await canConnect(Number(port)), true)
  const record = await tm.kill(taskId, { by: 'test' })
  assert.equal(record.status, 'killed')
  assert.equal(record.endReason, 'kill')
  assert.equal(record.killedBy, 'test')
  assert.equal(record.signal, 'SIGTERM')
  assert.equal(record.exitCode, 143)
  assert.equal(isAlive(Number(listenerPid)), false, describeProcess(Number(listenerPid), taskId))
  assert.equal(isAlive(Number(sleeperPid)), false)
  assert.equal(await canConnect(Number(port)), false)
})

test('kills of threaded servers return only once their ports are closed', async (t) => {
  // A node process's leader thread turns zombie while its other threads are still exiting and
  // still hold its listening socket; a kill that returned then would leave the port taken.
  const tm = await (await useTestStore(t)).open()
  const tasks = await Promise.all(
    Array.from({ length: 20 }, () => tm.spawn({ command: `exec ${process.execPath} ${LISTEN}` })),
  )
  const ports = await Promise.all(
    tasks.map(async ({ taskId }) => Number((await waitForOutput(tm, taskId, /PORT (\d+)/))[1])),
  )
  for (const [i, { taskId }] of tasks.entries()) {
    await tm.kill(taskId)
    assert.equal(await canConnect(ports[i]!), false, `port ${ports[i]} still accepts after the kill returned`)
  }
})

test('kill sends SIGKILL after the grace to a child that traps TERM', async (t) => {
  const tm = await (await useTestStore(t)).open()
  const { taskId } = await tm.spawn({ command: `trap '' TERM; echo READY; while :; do sleep 0.05; done` })
  await waitForOutput(tm, taskId, /READY/)
  const started = Date.now()
  const record = await tm.kill(taskId, { graceMs: 300 })
  assert.ok(Date.now() - started >= 300, 'waited for the grace before SIGKILL')
  assert.equal(record.status, 'killed')
  assert.equal(record.signal, 'SIGKILL')
  assert.equal(record.exitCode, 137)
})

test("a killed command's last words on SIGTERM still reach the log", async (t) => {
  const tm = await (await useTestStore(t)).open()
  const { taskId } = await tm.spawn({
    command: `trap 'echo "cleaning up after TERM"; exit 0' TERM; echo READY; while :; do sleep 0.05; done`,
  })
  await waitForOutput(tm, taskId, /READY/)
  const record = await tm.kill(taskId)
  assert.equal(record.status, 'killed')
  assert.equal(record.signal, 'SIGTERM')
  assert.match((await tm.read(taskId)).text, /cleaning up after TERM\n$/)
})

test('kill of a finished task returns its record with alreadyFinished', async (t) => {
  const tm = await (await useTestStore(t)).open()
  const { taskId } = await tm.spawn({ command: 'exit 4' })
  await tm.wait([taskId])
  const record = await tm.kill(taskId)
  assert.equal(record.alreadyFinished, true)
  assert.equal(record.status, 'failed')
  assert.equal(record.exitCode, 4)
})

test('two kills at once end the task once', async (t) => {
  const tm = await (await useTestStore(t)).open()
  const { taskId } = await tm.spawn({ command: 'sleep 30' })
  const [a, b] = await Promise.all([tm.kill(taskId), tm.kill(taskId)])
  assert.equal(a.status, 'killed')
  assert.equal(b.status, 'killed')
  assert.equal(a.finishedAt, b.finishedAt)
})

test('closing with killRunning kills the session tasks as shutdown', async (t) => {
  const store = await useTestStore(t)
  const tm = await store.open()
  const { taskId } = await tm.spawn({ command: 'sleep 30' })
  await tm.close({ killRunning: true })
  const other = await store.open()
  const record = await other.status(taskId)
  assert.equal(record.status, 'killed')
  assert.equal(record.killedBy, 'shutdown')
})
