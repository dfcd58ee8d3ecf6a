import assert from 'node:assert/strict'
import { test } from 'node:test'
import { useTestStore } from '../helpers/store.js'
import { pollUntil } from '../helpers/wait.js'

test('a task past its deadline ends timed_out with exit code 124', async (t) => {
  const tm = await (await useTestStore(t)).open()
  const { taskId } = await tm.spawn({ command: 'sleep 30', timeoutMs: 200 })
  const [done] = await tm.wait([taskId])
  assert.equal(done!.status, 'timed_out')
  assert.equal(done!.exitCode, 124)
  assert.equal(done!.endReason, 'timeout')
  assert.equal(done!.timeoutMs, 200)
  assert.ok(done!.durationMs! >= 200)
})

test('a task found overdue by a manager that starts later is killed as timed_out', async (t) => {
  const store = await useTestStore(t)
  const first = await store.open()
  const { taskId, startedAt } = await first.spawn({ command: 'sleep 30', timeoutMs: 150 })
  await first.close()
  // No manager runs while the deadline passes.
  await pollUntil(
    () => Date.now(),
    (now) => now > startedAt! + 150,
    { what: 'the deadline to pass' },
  )
  const second = await store.open()
  const [done] = await second.wait([taskId])
  assert.equal(done!.status, 'timed_out')
  assert.equal(done!.exitCode, 124)
})

test('a timeout of 0 means no deadline, and a negative one is refused', async (t) => {
  const tm = await (await useTestStore(t)).open()
  const record = await tm.spawn({ command: 'exit 0', timeoutMs: 0 })
  assert.equal(record.timeoutMs, 0)
  await assert.rejects(tm.spawn({ command: 'true', timeoutMs: -1 }), { code: 'invalid_request' })
})
