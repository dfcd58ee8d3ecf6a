import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import type { Completion, TaskManagerOptions } from '../../src/index.js'
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

test('a completion says once how to read what it left out: in its first gap, or last when the view read only part of the log', async (t) => {
  const store = await useTestStore(t)
  const tm = await store.open()
  const hint = (taskId: string) => `bash_output ${taskId}`
  const count = (text: string, part: string) => text.split(part).length - 1
  // Lines of different shapes, so they do not fold: the view leaves most of them out.
  const cut = await tm.spawn({
    command:
      'for i in $(seq 1 3000); do echo "ok $i - case $i"; echo "  step $((i * 7))"; done; echo \'error: last\'; exit 1',
  })
  // 9 MB of one line repeated: it folds to a few lines, but the middle of the log is never read.
  const unread = await tm.spawn({
    command: "yes 'waiting for db' | head -c 9000000; echo 'error: gave up'; exit 1",
  })
  await tm.wait([cut.taskId, unread.taskId])
  const completions = await tm.takeCompletions()
  const of = (taskId: string) => completions.find((c) => c.taskId === taskId)!
  const shortened = of(cut.taskId)
  assert.equal(shortened.outputTruncated, true)
  assert.equal(count(shortened.outputPreview, hint(cut.taskId)), 1, shortened.outputPreview)
  assert.match(shortened.outputPreview, /^… [\d,]+ lines \(.+\) omitted — read it with bash_output /m)
  const partial = of(unread.taskId)
  assert.equal(partial.outputTruncated, true)
  assert.match(partial.outputPreview, /… [\d,]+ bytes not read here …/)
  assert.match(partial.outputPreview, /error: gave up\n… read it with bash_output bgb-\w+ or bgbash logs …$/)
  assert.equal(count(partial.outputPreview, hint(unread.taskId)), 1)
})

test('with relativePaths, a completion writes the paths of its project from the root, when the task ran there', async (t) => {
  const store = await useTestStore(t)
  const sub = path.join(store.scratch, 'packages')
  fs.mkdirSync(sub)
  const endOf = async (options: TaskManagerOptions, cwd: string) => {
    const tm = await store.open(options)
    const command = `echo "${store.scratch}/src/a.ts:3:1 - error TS2322: no"; exit 2`
    const { taskId } = await tm.spawn({ command, cwd })
    await tm.wait([taskId])
    const [completion] = await tm.takeCompletions()
    await tm.close()
    return completion!.outputPreview
  }
  assert.equal(await endOf({ relativePaths: true }, store.scratch), 'src/a.ts:3:1 - error TS2322: no')
  // Elsewhere, a relative path would read as relative to where the task ran: the text stays.
  assert.equal(await endOf({ relativePaths: true }, sub), `${store.scratch}/src/a.ts:3:1 - error TS2322: no`)
  assert.equal(await endOf({}, store.scratch), `${store.scratch}/src/a.ts:3:1 - error TS2322: no`)
})
