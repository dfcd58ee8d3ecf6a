import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { reportGaps } from '../../src/cli/follow.js'
import { taskDirOf, useTestStore } from '../helpers/store.js'

test('a gap from the disk cap is reported from the byte where the read stopped, after bytes that are not UTF-8', async (t) => {
  const tm = await (await useTestStore(t)).open({ outputCapBytes: 64 * 1024 })
  // 40 KB of stray bytes fill the kept head (32 KiB here); the numbers after them pass the cap.
  const { taskId } = await tm.spawn({ command: `yes "$(printf '\\377')" | head -n 20000; seq 1 100000` })
  const [record] = await tm.wait([taskId])
  assert.ok(record!.droppedBytes > 0, 'the cap dropped bytes')
  const dropped = JSON.parse(
    fs.readFileSync(path.join(taskDirOf(tm.storeRoot, taskId), 'dropped.json'), 'utf8'),
  )
  const window = await tm.read(taskId, { offset: 0, maxBytes: 256 * 1024 })
  const gaps: Array<[number, number]> = []
  reportGaps(
    0,
    window,
    (from, to) => gaps.push([from, to]),
    () => {},
  )
  assert.deepEqual(gaps, [[dropped.head_bytes, dropped.dropped_until]])
})
