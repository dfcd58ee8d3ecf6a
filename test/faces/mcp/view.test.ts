import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { readOutputView } from '../../../src/faces/mcp/view.js'
import { taskDirOf, useTestStore } from '../../helpers/store.js'

test('the foreground view names the byte offset where its unread middle starts, after bytes that are not UTF-8', async (t) => {
  const tm = await (await useTestStore(t)).open()
  // 40 KB of lines with two stray bytes each, then 170 KB of numbers: the view reads 16 KiB of
  // head and 64 KiB of tail and says which bytes between them it did not read.
  const { taskId } = await tm.spawn({
    command: `yes "$(printf 'a\\377\\376')" | head -n 10000; seq 1 30000; echo END`,
    notify: false,
  })
  await tm.wait([taskId])
  const log = fs.readFileSync(path.join(taskDirOf(tm.storeRoot, taskId), 'output.log'))
  const headEnd = log.subarray(0, 16 * 1024).lastIndexOf(0x0a) + 1
  const tailStart = log.indexOf(0x0a, log.length - 64 * 1024) + 1
  const view = await readOutputView(tm, taskId, 1024 * 1024)
  assert.match(
    view.text,
    new RegExp(
      `… ${tailStart - headEnd} bytes not read here: bash_output task_id=${taskId} offset=${headEnd} reads them …`,
    ),
  )
  assert.equal(view.endOffset, log.length)
  assert.equal(view.truncated, true)
})
