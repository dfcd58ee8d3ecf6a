import assert from 'node:assert/strict'
import fs from 'node:fs'
import { test } from 'node:test'
import { getTaskPaths } from '../../src/store/paths.js'
import { LogScanner } from '../../src/watch/log-scanner.js'
import { useTestStore } from '../helpers/store.js'

test('a scanner finds each match once, at the byte offset of its line, with the lines around it', async (t) => {
  const { scratch } = await useTestStore(t)
  const paths = getTaskPaths(scratch, 'bgb-0000000c')
  fs.mkdirSync(paths.dir)
  const log = Buffer.from(
    '\xff\xfeboot\r\n\x1b[32mready\x1b[0m on :1\r\nnext \xff\nready again\nand',
    'latin1',
  )
  fs.writeFileSync(paths.output, log.subarray(0, 10))
  const scanner = new LogScanner(paths, /^ready.*\d$/)
  assert.equal(scanner.scan(), undefined, 'no whole line matches yet')
  fs.appendFileSync(paths.output, log.subarray(10))
  const first = scanner.scan()
  assert.deepEqual(first, {
    text: 'ready on :1',
    line: 'ready on :1',
    offset: log.indexOf('\x1b[32m'),
    // The matched text spans colour codes, so it is nowhere in the bytes: the line's start stands for it.
    matchOffset: log.indexOf('\x1b[32m'),
    context: '\uFFFD\uFFFDboot\nready on :1\nnext \uFFFD\nready again\nand',
  })
  assert.equal(scanner.scan(), undefined, 'the same match is not found twice')
  const again = new LogScanner(paths, /again$/)
  const secondMatch = again.scan()
  assert.equal(secondMatch?.offset, log.indexOf('ready again'))
  assert.equal(secondMatch?.matchOffset, log.indexOf('again\n'))
  const unfinished = new LogScanner(paths, /^and$/)
  assert.equal(unfinished.scan(), undefined, 'an unfinished line is tested only at the end')
  assert.equal(unfinished.scan(true)?.offset, log.indexOf('and'))
})
