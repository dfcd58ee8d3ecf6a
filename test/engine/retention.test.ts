import assert from 'node:assert/strict'
import { test } from 'node:test'
import { waitUntilExited } from '../helpers/pids.js'
import { useTestStore } from '../helpers/store.js'

const HOUR = 3600 * 1000

test('gc removes delivered tasks after 24 h, owed ones after 7 days, and never live ones', async (t) => {
  const store = await useTestStore(t)
  const tm = await store.open()
  const delivered = await tm.spawn({ command: 'true' })
  const alsoTaken = await tm.spawn({ command: 'true' })
  const silent = await tm.spawn({ command: 'true', notify: false })
  const live = await tm.spawn({ command: 'sleep 30', timeoutMs: 0 })
  await tm.wait([delivered.taskId, alsoTaken.taskId, silent.taskId])
  const taken = await tm.takeCompletions()
  assert.ok(taken.some((c) => c.taskId === delivered.taskId))
  // A task that ends after the take stays owed.
  const owedAgain = await tm.spawn({ command: 'true' })
  await tm.wait([owedAgain.taskId])
  await waitUntilExited([delivered, alsoTaken, silent, owedAgain].map((task) => task.pid!))

  const now = Date.now()
  assert.deepEqual((await tm.gc({ now: now + 23 * HOUR })).removed, [])
  const dayLater = await tm.gc({ now: now + 25 * HOUR })
  assert.deepEqual(dayLater.removed.sort(), [delivered.taskId, alsoTaken.taskId, silent.taskId].sort())
  const ids = (await tm.list()).map((r) => r.taskId).sort()
  assert.deepEqual(ids, [live.taskId, owedAgain.taskId].sort())
  const weekLater = await tm.gc({ now: now + 8 * 24 * HOUR })
  assert.deepEqual(
    weekLater.removed,
    [owedAgain.taskId],
    `owed task kept: ${JSON.stringify(await tm.status(owedAgain.taskId).catch((error) => String(error)))}`,
  )
  const everything = await tm.gc({ olderThanMs: 0, now: now + 365 * 24 * HOUR })
  assert.deepEqual(everything.removed, [])
  assert.equal((await tm.status(live.taskId)).status, 'running')
})
