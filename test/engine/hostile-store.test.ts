import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { waitUntilExited } from '../helpers/pids.js'
import { useTestStore } from '../helpers/store.js'

test('a symlink planted in the store as a task directory is never followed', async (t) => {
  const store = await useTestStore(t)
  const tm = await store.open()
  const { taskId, pid } = await tm.spawn({ command: 'true' })
  await tm.wait([taskId])
  await waitUntilExited([pid!])
  // Somewhere outside the store, with what looks like task records.
  const outside = path.join(store.scratch, 'outside')
  fs.mkdirSync(outside)
  fs.writeFileSync(
    path.join(outside, 'task.json'),
    JSON.stringify({ schema_version: 1, task_id: 'bgb-deadbeef', command: 'x' }),
  )
  fs.writeFileSync(path.join(outside, 'keep.txt'), 'precious')
  const sessionDir = path.dirname(
    path.join(tm.storeRoot, 'sessions', fs.readdirSync(path.join(tm.storeRoot, 'sessions'))[0]!, 'x'),
  )
  fs.symlinkSync(outside, path.join(sessionDir, 'bgb-deadbeef'))

  assert.deepEqual(
    (await tm.list()).map((r) => r.taskId),
    [taskId],
  )
  await assert.rejects(tm.status('bgb-deadbeef'), { code: 'task_not_found' })
  await assert.rejects(tm.kill('bgb-deadbeef'), { code: 'task_not_found' })
  await tm.gc({ olderThanMs: 0, now: Date.now() + 365 * 24 * 3600 * 1000 })
  assert.equal(fs.readFileSync(path.join(outside, 'keep.txt'), 'utf8'), 'precious')
  // A restarted manager ignores it too.
  const again = await store.open()
  assert.deepEqual(
    (await again.list()).map((r) => r.taskId),
    [],
  )
  assert.equal(fs.existsSync(path.join(outside, 'task.json')), true)
})

test('a record file replaced by a symlink is not read through', async (t) => {
  const store = await useTestStore(t)
  const tm = await store.open()
  const { taskId } = await tm.spawn({ command: 'echo hi' })
  await tm.wait([taskId])
  const secret = path.join(store.scratch, 'secret.txt')
  fs.writeFileSync(secret, 'do not show me\n')
  const sessions = path.join(tm.storeRoot, 'sessions')
  const log = path.join(sessions, fs.readdirSync(sessions)[0]!, taskId, 'output.log')
  fs.rmSync(log)
  fs.symlinkSync(secret, log)
  await assert.rejects(tm.read(taskId), (error: Error & { code?: string }) => {
    assert.equal(error.code, 'storage_failed')
    assert.doesNotMatch(String(error), /do not show me/)
    return true
  })
})
