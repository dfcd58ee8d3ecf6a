import assert from 'node:assert/strict'
import net from 'node:net'
import path from 'node:path'
import { test } from 'node:test'
import { FIXTURES } from '../helpers/child.js'
import { waitForOutput } from '../helpers/output.js'
import { findTaskProcesses, isAlive } from '../helpers/pids.js'
import { useTestStore } from '../helpers/store.js'
import { bySize, Scenario } from './chaos.js'

const LISTEN = path.join(FIXTURES, 'listen.mjs')

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

// Every way out of the task's group at once: a setsid double-forked listener holding a port, a
// double-forked sleeper reparented away from the shell, a child that ignores TERM, a nohup'd one.
const COMMAND = [
  `setsid sh -c '(${process.execPath} ${LISTEN} &)'`,
  `(sh -c 'sleep 300 & echo "ORPHAN $!"' &)`,
  `sh -c 'trap "" TERM; echo "STUBBORN $$"; while :; do sleep 0.1; done' &`,
  `nohup sleep 300 > /dev/null 2>&1 &`,
  'wait',
].join('\n')

test('kill leaves no survivor of a tree with setsid, double forks, a TERM trap and a port, every time', async (t) => {
  const runs = bySize(3, 20)
  const scenario = new Scenario(t, `escapees: setsid + double fork + port + TERM trap, ${runs}×`)
  const tm = await (await useTestStore(t)).open({ maxRunning: 100 })
  let survivors = 0
  let slowest = 0
  for (let run = 0; run < runs; run++) {
    await scenario.run(async () => {
      const { taskId } = await tm.spawn({ command: COMMAND })
      const [, port, listenerPid] = await waitForOutput(tm, taskId, /PORT (\d+) PID (\d+)/)
      const [, orphanPid] = await waitForOutput(tm, taskId, /ORPHAN (\d+)/)
      const [, stubbornPid] = await waitForOutput(tm, taskId, /STUBBORN (\d+)/)
      assert.equal(await canConnect(Number(port)), true)
      const before = findTaskProcesses([taskId])
      assert.ok(before.length >= 5, `the tree has ${before.length} processes`)
      const started = performance.now()
      const record = await tm.kill(taskId, { graceMs: 300 })
      slowest = Math.max(slowest, performance.now() - started)
      assert.equal(record.status, 'killed')
      const left = findTaskProcesses([taskId])
      survivors += left.length
      assert.deepEqual(left, [], 'no process of the task survived')
      for (const pid of [listenerPid, orphanPid, stubbornPid])
        assert.equal(isAlive(Number(pid)), false, `pid ${pid}`)
      assert.equal(await canConnect(Number(port)), false, 'the port is free')
    })
  }
  scenario.figure = `${survivors} survivors over ${runs} kills; slowest kill ${slowest.toFixed(0)} ms (grace 300 ms)`
})
