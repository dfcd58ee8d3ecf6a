import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { useTestStore } from '../helpers/store.js'
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
