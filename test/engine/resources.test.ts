import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import type { Socket } from 'node:net'
import path from 'node:path'
import { test } from 'node:test'
import { FIXTURES, killHard, readFirstLine } from '../helpers/child.js'
import { isAlive } from '../helpers/pids.js'
import { readPidRecord, taskDirOf, useTestStore } from '../helpers/store.js'
import { pollUntil } from '../helpers/wait.js'

function countFds(): number {
  return fs.readdirSync('/proc/self/fd').length
}

test('the manager holds no descriptor per task: 200 tasks later the fd count is back', async (t) => {
  const tm = await (await useTestStore(t)).open({ maxRunning: 300 })
  const before = countFds()
  const tasks = []
  for (let i = 0; i < 200; i++) tasks.push(await tm.spawn({ command: 'sleep 0.2' }))
  const whileRunning = countFds()
  assert.ok(whileRunning - before < 10, `fds while 200 run: ${before} → ${whileRunning}`)
  await tm.wait(tasks.map((task) => task.taskId))
  // Records are fsynced on the thread pool just after they land; those descriptors close by themselves.
  await pollUntil(countFds, (n) => n <= before, { what: `the fd count to return to ${before}` })
})

test('a task holds none of the descriptors its manager inherited: their other end sees the close', async (t) => {
  const store = await useTestStore(t)
  // The manager inherits a socket on fd 250 without close-on-exec, as from a harness that
  // started it (bash moves it there; Node marks a socket it is given on fd 3 close-on-exec).
  const manager = spawn(
    'bash',
    [
      '-c',
      'exec "$@" 250>&3 3>&-',
      'sh',
      process.execPath,
      '--import',
      'tsx',
      path.join(FIXTURES, 'manager.ts'),
      store.home,
      'fds',
      JSON.stringify([{ command: 'sleep 60' }]),
    ],
    { stdio: ['ignore', 'pipe', 'inherit', 'pipe'] },
  )
  t.after(() => killHard(manager))
  const { taskIds } = JSON.parse(await readFirstLine(manager)) as { taskIds: string[] }
  const { pid } = await readPidRecord(taskDirOf(store.home, taskIds[0]!))
  const socket = manager.stdio[3] as Socket
  socket.resume()
  const closed = new Promise((resolve) => socket.once('close', resolve))
  await killHard(manager)
  // Only a task still holding the manager's copy could keep the socket open now.
  const outcome = await Promise.race([
    closed.then(() => 'closed'),
    new Promise((resolve) => setTimeout(resolve, 5000, 'still open')),
  ])
  assert.equal(outcome, 'closed')
  assert.equal(isAlive(pid), true, 'the task still runs')
})

test('store directories are 0700 and files 0600', async (t) => {
  const store = await useTestStore(t)
  const tm = await store.open()
  const { taskId } = await tm.spawn({ command: 'echo hi', stdin: true })
  await tm.spawn({ command: 'sleep 30' }).then((task) => tm.kill(task.taskId))
  const [done] = await tm.wait([taskId], { timeoutMs: 0 })
  assert.ok(done)
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name)
      const mode = fs.lstatSync(full).mode & 0o777
      if (entry.isDirectory()) {
        assert.equal(mode, 0o700, full)
        walk(full)
      } else {
        assert.equal(mode, 0o600, full)
      }
    }
  }
  assert.equal(fs.statSync(store.home).mode & 0o777, 0o700)
  walk(store.home)
})
