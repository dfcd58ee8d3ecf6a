import assert from 'node:assert/strict'
import { test } from 'node:test'
import { stripAnsi } from '../../src/output/ansi.js'
import { findMatchByte } from '../../src/watch/log-scanner.js'

test('a match offset counts the bytes as written: invalid UTF-8, multi-byte characters, colours, repeats', () => {
  const cases: Array<[string, Buffer, RegExp, number]> = [
    ['plain', Buffer.from('READY on port 3000'), /port (\d+)/, 9],
    ['at the start', Buffer.from('READY'), /READY/, 0],
    ['after an invalid byte', Buffer.from([0xff, ...Buffer.from('READY')]), /READY/, 1],
    ['after a cut sequence', Buffer.from([0xe2, 0x82, ...Buffer.from('x READY')]), /READY/, 4],
    ['after multi-byte characters', Buffer.from('αβ READY'), /READY/, 5],
    ['after colour codes', Buffer.from('\u001b[32mok\u001b[39m READY'), /READY/, 13],
    ['the second of two equal texts', Buffer.from('ab ab!'), /ab!/, 3],
    ['the same text twice, the regex picks the later', Buffer.from('x1 y1'), /(?<=y)1/, 4],
  ]
  for (const [title, bytes, pattern, expected] of cases) {
    const text = stripAnsi(bytes.toString('utf8'))
    const found = pattern.exec(text)!
    assert.equal(findMatchByte(bytes, text, found.index, found[0]), expected, title)
  }
})

test('a match that holds U+FFFD itself falls back to counting the text before it', () => {
  const bytes = Buffer.from([0x61, 0xff, 0x62])
  const text = bytes.toString('utf8')
  assert.equal(findMatchByte(bytes, text, 1, '\uFFFDb'), 1)
})
