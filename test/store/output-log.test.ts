import assert from 'node:assert/strict'
import fs from 'node:fs'
import { test } from 'node:test'
import { readLog, readLogBytes } from '../../src/store/output-log.js'
import { getTaskPaths } from '../../src/store/paths.js'
import { useTestStore } from '../helpers/store.js'

test('a dropped.json that claims a hole past the end of the log reads as the end of it, not an error', async (t) => {
  const { scratch } = await useTestStore(t)
  const paths = getTaskPaths(scratch, 'bgb-0000000b')
  fs.mkdirSync(paths.dir)
  fs.writeFileSync(paths.output, 'head\nmore\n')
  fs.writeFileSync(paths.dropped, JSON.stringify({ head_bytes: 5, dropped_until: 1000 }))
  const window = readLog(paths, { offset: 7 })
  assert.deepEqual([window.text, window.offset, window.eof], ['', 1000, true])
  const run = readLogBytes(paths, { offset: 7, maxBytes: 100 })
  assert.deepEqual([run.bytes.length, run.offset, run.eof], [0, 1000, true])
  assert.equal(readLog(paths, { offset: 0 }).text, 'head\n')
})
