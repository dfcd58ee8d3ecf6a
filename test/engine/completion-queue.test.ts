import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { LongRunningNotice, OutputWatchEvent } from '../../src/index.js'
import { useTestStore } from '../helpers/store.js'

test('peekCompletions shows owed completions without claiming; ack claims them once', async (t) => {
  const store = await useTestStore(t)
  const tm = await store.open()
  const a = await tm.spawn({ command: 'echo one' })
  const b = await tm.spawn({ command: 'exit 2' })
  await tm.wait([a.taskId, b.taskId])
  const peeked = await tm.peekCompletions()
  assert.deepEqual(peeked.map((c) => c.taskId).sort(), [a.taskId, b.taskId].sort())
  assert.equal((await tm.peekCompletions()).length, 2, 'a peek removes nothing')
  // Another manager on the session sees the same owed completions after a restart.
  const other = await store.open()
  assert.equal((await other.peekCompletions()).length, 2)
  assert.deepEqual(await tm.ackCompletions([a.taskId]), [a.taskId])
  assert.deepEqual(
    (await other.peekCompletions()).map((c) => c.taskId),
    [b.taskId],
  )
  assert.deepEqual(await other.ackCompletions([a.taskId, b.taskId]), [a.taskId, b.taskId])
  assert.deepEqual(await tm.peekCompletions(), [])
  assert.deepEqual(await tm.takeCompletions(), [])
})

test('promote turns notify on: a finished silent task becomes owed', async (t) => {
  const tm = await (await useTestStore(t)).open()
  const silent = await tm.spawn({ command: 'echo quiet', notify: false })
  await tm.wait([silent.taskId])
  assert.deepEqual(await tm.peekCompletions(), [])
  const record = await tm.promote(silent.taskId)
  assert.equal(record.notify, true)
  const [owed] = await tm.peekCompletions()
  assert.equal(owed!.taskId, silent.taskId)
  assert.match(owed!.outputPreview, /quiet/)
})

test('output watches fire once or every time, and once-watches report task_exit', async (t) => {
  const tm = await (await useTestStore(t)).open()
  const { taskId } = await tm.spawn({ command: 'cat', stdin: true })
  const events: OutputWatchEvent[] = []
  const repeating = tm.watchOutput(taskId, /tick \d+/, { once: false }, (e) => events.push(e))
  const once = tm.watchOutput(taskId, /tick/, { once: true }, (e) => events.push(e))
  const never = tm.watchOutput(taskId, /never/, { once: true }, (e) => events.push(e))
  assert.match(repeating, /^watch-\d{8}$/)
  await tm.write(taskId, 'tick 1\ntick 2\n')
  await tm.write(taskId, 'tick 3\n', { eof: true })
  await tm.wait([taskId])
  const of = (id: string) => events.filter((e) => e.watchId === id)
  assert.deepEqual(
    of(repeating).map((e) => e.match?.text),
    ['tick 1', 'tick 2', 'tick 3'],
  )
  assert.deepEqual(
    of(once).map((e) => [e.reason, e.match?.line]),
    [['pattern_match', 'tick 1']],
  )
  assert.deepEqual(
    of(never).map((e) => e.reason),
    ['task_exit'],
  )
  assert.equal(tm.unwatchOutput(taskId, repeating), false, 'watches end with their task')
})

test('a task has at most 8 output watches', async (t) => {
  const tm = await (await useTestStore(t)).open()
  const { taskId } = await tm.spawn({ command: 'sleep 30' })
  for (let i = 0; i < 8; i++) tm.watchOutput(taskId, /x/, {}, () => {})
  assert.throws(() => tm.watchOutput(taskId, /x/, {}, () => {}), { code: 'limit_exceeded' })
})

test('a long-running notice comes every interval while the task runs', async (t) => {
  const tm = await (await useTestStore(t)).open()
  const notices: LongRunningNotice[] = []
  const { taskId } = await tm.spawn({ command: 'sleep 30' })
  const twoNotices = new Promise<void>((resolve) =>
    tm.on('long_running', (notice) => {
      notices.push(notice)
      if (notices.length === 2) resolve()
    }),
  )
  tm.configure({ longRunningMs: 40 })
  await twoNotices
  assert.equal(notices[0]!.taskId, taskId)
  assert.ok(notices[1]!.elapsedMs > notices[0]!.elapsedMs)
  // Timers run on the monotonic clock, elapsedMs on the wall clock: allow a few ms either way.
  assert.ok(notices[0]!.elapsedMs >= 30, `first notice after ${notices[0]!.elapsedMs} ms`)
})
