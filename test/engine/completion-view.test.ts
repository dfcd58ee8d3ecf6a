import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Completion } from '../../src/index.js'
import { useTestStore } from '../helpers/store.js'

test('a failed task’s completion shows its first error from the middle of a 3 MiB log, and its end', async (t) => {
  const store = await useTestStore(t)
  const tm = await store.open()
  const completions: Completion[] = []
  tm.on('completion', (c) => completions.push(c))
  // 30,000 lines of noise, the error, 30,000 more, a summary: the error is far from both ends.
  const command = [
    `seq -f 'compiling module %g of 60000 ..........................................' 1 30000`,
    `echo "src/app.ts:42:7 - error TS2322: Type 'string' is not assignable to type 'number'."`,
    `seq -f 'compiling module %g of 60000 ..........................................' 30001 60000`,
    `echo 'Found 1 error in src/app.ts:42'`,
    'exit 2',
  ].join('; ')
  const { taskId } = await tm.spawn({ command })
  const [record] = await tm.wait([taskId])
  assert.equal(record!.status, 'failed')
  assert.ok(record!.outputBytes > 3 * 1024 * 1024, `${record!.outputBytes} bytes`)
  const [completion] = completions.length > 0 ? completions : await tm.takeCompletions()
  assert.ok(completion, 'a completion')
  assert.match(completion.outputPreview, /src\/app\.ts:42:7 - error TS2322/)
  assert.match(completion.outputPreview, /Found 1 error in src\/app\.ts:42/)
  assert.ok(Buffer.byteLength(completion.outputPreview) <= 4096)
  assert.match(
    completion.outputPreview,
    /… 29,998 similar lines …/,
    'the noise folds to one line and a count',
  )
})

test('a completion says where the disk cap dropped bytes, also when a read stopped right at the hole', async (t) => {
  const store = await useTestStore(t)
  const tm = await store.open({ outputCapBytes: 64 * 1024 })
  const completions: Completion[] = []
  tm.on('completion', (c) => completions.push(c))
  const { taskId } = await tm.spawn({
    command: "echo 'error: first'; seq 1 100000; echo 'error: last'; exit 1",
  })
  const [record] = await tm.wait([taskId])
  assert.ok(record!.droppedBytes > 0, 'the cap dropped bytes')
  const [completion] = completions.length > 0 ? completions : await tm.takeCompletions()
  assert.ok(completion, 'a completion')
  assert.match(completion.outputPreview, /error: first/)
  assert.match(completion.outputPreview, /error: last/)
  assert.match(completion.outputPreview, /… [\d,]+ bytes dropped by the disk cap …/)
  assert.equal(completion.outputTruncated, true)
})
