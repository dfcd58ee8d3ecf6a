import assert from 'node:assert/strict'
import fs from 'node:fs'
import { type TestContext, test } from 'node:test'
import fc from 'fast-check'
import { MAX_PENDING_LINE_BYTES } from '../../src/constants.js'
import { type LogLine, LogLineReader } from '../../src/store/log-lines.js'
import { getTaskPaths, type TaskPaths } from '../../src/store/paths.js'
import { cutBytes } from '../helpers/output.js'
import { useTestStore } from '../helpers/store.js'

/** A task directory of its own in the test's scratch space, with an empty log. */
async function makeTaskDir(t: TestContext): Promise<TaskPaths> {
  const { scratch } = await useTestStore(t)
  const paths = getTaskPaths(scratch, 'bgb-0000000a')
  fs.mkdirSync(paths.dir)
  fs.writeFileSync(paths.output, '')
  return paths
}

/** Marks `[headBytes, droppedUntil)` as punched out, as the relay does. */
function writeDropped(paths: TaskPaths, headBytes: number, droppedUntil: number): void {
  fs.writeFileSync(paths.dropped, JSON.stringify({ head_bytes: headBytes, dropped_until: droppedUntil }))
}

/** Every line there is now; with `isFinal`, the unfinished last one too. */
function drain(reader: LogLineReader, isFinal = false): LogLine[] {
  const lines: LogLine[] = []
  for (let line = reader.next(isFinal); line; line = reader.next(isFinal)) lines.push(line)
  return lines
}

/** The fields a table states, with the bytes as latin1 so invalid ones show. */
function describe(lines: LogLine[]): Array<[number, string, string, number, boolean]> {
  return lines.map((line) => [line.offset, line.bytes.toString('latin1'), line.text, line.end, line.isWhole])
}

/** What the reader must hand out for `bytes` starting at `base`: split on `\n`, `\r\n` ending dropped. */
function splitLines(bytes: Buffer, base: number, isCut: boolean, cutEnd: number): LogLine[] {
  const lines: LogLine[] = []
  let start = 0
  for (let newline = bytes.indexOf(10); newline >= 0; newline = bytes.indexOf(10, start)) {
    const end = bytes[newline - 1] === 13 && newline > start ? newline - 1 : newline
    const line = bytes.subarray(start, end)
    lines.push({
      offset: base + start,
      bytes: line,
      text: line.toString('utf8'),
      end: base + newline + 1,
      isWhole: true,
    })
    start = newline + 1
  }
  if (start < bytes.length) {
    const rest = bytes.subarray(start)
    const end = isCut ? cutEnd : base + bytes.length
    lines.push({ offset: base + start, bytes: rest, text: rest.toString('utf8'), end, isWhole: false })
  }
  return lines
}

/** Bytes from a string of byte values (`\xff` is the byte 0xff, not U+00FF in UTF-8). */
const latin1 = (text: string) => Buffer.from(text, 'latin1')

test('lines come out with byte offsets of the log, invalid bytes decoded as U+FFFD, CR LF endings dropped', async (t) => {
  const table: Array<[string, Buffer, Array<[number, string, string, number, boolean]>]> = [
    [
      'invalid bytes before a line',
      latin1('\xff\xfeab\nREADY\n'),
      [
        [0, '\xff\xfeab', '\uFFFD\uFFFDab', 5, true],
        [5, 'READY', 'READY', 11, true],
      ],
    ],
    [
      'an invalid byte mid-line, a character cut short by the newline, an unfinished last line',
      latin1('x\xffy\n\xe2\x82\nz'),
      [
        [0, 'x\xffy', 'x\uFFFDy', 4, true],
        [4, '\xe2\x82', '\uFFFD', 7, true],
        [7, 'z', 'z', 8, false],
      ],
    ],
    [
      'CR LF endings, a CR mid-line, empty lines',
      latin1('a\r\nb\rc\r\n\r\n\n'),
      [
        [0, 'a', 'a', 3, true],
        [3, 'b\rc', 'b\rc', 8, true],
        [8, '', '', 10, true],
        [10, '', '', 11, true],
      ],
    ],
    ['a CR that ends the log without a newline is kept', latin1('a\r'), [[0, 'a\r', 'a\r', 2, false]]],
    [
      'valid characters of two, three and four bytes',
      Buffer.from('é€😀\n'),
      [[0, Buffer.from('é€😀').toString('latin1'), 'é€😀', 10, true]],
    ],
  ]
  const paths = await makeTaskDir(t)
  for (const [name, content, expected] of table) {
    fs.writeFileSync(paths.output, content)
    for (const chunkBytes of [1, 2, 3, 7, 1024]) {
      const lines = drain(new LogLineReader(paths, 0, { chunkBytes }), true)
      assert.deepEqual(describe(lines), expected, `${name}, chunks of ${chunkBytes}`)
    }
  }
})

test('an unfinished last line waits for its newline, and comes out as is only when asked', async (t) => {
  const paths = await makeTaskDir(t)
  fs.writeFileSync(paths.output, 'one\ntw')
  const reader = new LogLineReader(paths)
  assert.deepEqual(describe(drain(reader)), [[0, 'one', 'one', 4, true]])
  assert.equal(reader.offset, 4, 'the unfinished line is not handed out')
  fs.appendFileSync(paths.output, 'o\r')
  assert.equal(reader.next(), undefined)
  fs.appendFileSync(paths.output, '\nthree')
  assert.deepEqual(describe(drain(reader)), [[4, 'two', 'two', 9, true]])
  assert.deepEqual(reader.peek(3), ['three'])
  assert.deepEqual(describe(drain(reader, true)), [[9, 'three', 'three', 14, false]])
  assert.equal(reader.offset, 14)
  assert.equal(reader.isAtEnd, true)
})

test('peek shows the lines read after the last one handed out, without handing them out', async (t) => {
  const paths = await makeTaskDir(t)
  fs.writeFileSync(paths.output, Buffer.from('a\nb\xff\r\nc\nd\ne', 'latin1'))
  const reader = new LogLineReader(paths)
  assert.equal(reader.next()?.text, 'a')
  assert.deepEqual(reader.peek(3), ['b\uFFFD', 'c', 'd'])
  assert.deepEqual(reader.peek(9), ['b\uFFFD', 'c', 'd', 'e'])
  assert.equal(reader.next()?.text, 'b\uFFFD')
})

test('a line longer than MAX_PENDING_LINE_BYTES comes out in pieces that end on whole characters', async (t) => {
  const paths = await makeTaskDir(t)
  // Three-byte characters after one byte: no piece boundary falls on a character boundary by luck.
  // Longer than one read and the most a line may pend: it cannot come out whole.
  const long = Buffer.from(`x${'€'.repeat(2 * MAX_PENDING_LINE_BYTES)}`)
  fs.writeFileSync(paths.output, Buffer.concat([long, Buffer.from('\nafter\n')]))
  for (const chunkBytes of [4096, 100_000, 256 * 1024]) {
    const lines = drain(new LogLineReader(paths, 0, { chunkBytes }))
    const pieces = lines.slice(0, -1)
    assert.ok(pieces.length > 1, `${pieces.length} pieces`)
    assert.ok(pieces.every((piece) => piece.bytes.length <= MAX_PENDING_LINE_BYTES + chunkBytes))
    assert.ok(
      pieces.every((piece) => !piece.text.includes('\uFFFD')),
      'no piece cuts a character',
    )
    assert.deepEqual(Buffer.concat(pieces.map((piece) => piece.bytes)), long)
    assert.deepEqual(
      pieces.map((piece) => piece.isWhole),
      [...pieces.slice(1).map(() => false), true],
    )
    assert.deepEqual(describe(lines.slice(-1)), [[long.length + 1, 'after', 'after', long.length + 7, true]])
  }
})

test('the disk cap hole is skipped: the line it cuts ends at it, and reading from inside it starts after it', async (t) => {
  const paths = await makeTaskDir(t)
  // What lies in the hole (newlines included) is never read.
  fs.writeFileSync(paths.output, 'aaa\nbb\n\n\n\n\n\n\n\ncc\ndd\n')
  writeDropped(paths, 6, 14)
  assert.deepEqual(describe(drain(new LogLineReader(paths, 0, { chunkBytes: 4 }))), [
    [0, 'aaa', 'aaa', 4, true],
    [4, 'bb', 'bb', 14, false],
    [14, 'cc', 'cc', 17, true],
    [17, 'dd', 'dd', 20, true],
  ])
  const inside = new LogLineReader(paths, 9)
  assert.deepEqual(describe(drain(inside)), [
    [14, 'cc', 'cc', 17, true],
    [17, 'dd', 'dd', 20, true],
  ])
  assert.equal(inside.startOffset, 14)
  assert.equal(inside.droppedBytes, 8)
})

test('a hole punched after the reader read up to it: the pending line ends there, the rest starts after it', async (t) => {
  const paths = await makeTaskDir(t)
  fs.writeFileSync(paths.output, 'aaa\nbb')
  const reader = new LogLineReader(paths)
  assert.deepEqual(describe(drain(reader)), [[0, 'aaa', 'aaa', 4, true]])
  fs.appendFileSync(paths.output, 'b lost\n'.repeat(4).concat('lost tail of a line\nkept\n'))
  const log = fs.readFileSync(paths.output)
  const until = log.indexOf('tail')
  writeDropped(paths, 6, until)
  assert.deepEqual(describe(drain(reader)), [
    [4, 'bb', 'bb', until, false],
    [until, 'tail of a line', 'tail of a line', log.indexOf('kept'), true],
    [log.indexOf('kept'), 'kept', 'kept', log.length, true],
  ])
})

test('any bytes, read in any chunks as they are appended in any pieces, come out as the lines of the whole', async (t) => {
  const paths = await makeTaskDir(t)
  // Bytes, stray and cut-short sequences among them, and whole characters of two to four bytes.
  const token = fc.constantFrom(
    ...['a', 'bc', ' ', '\n', '\n', '\r', '\r\n', '\xff', '\xfe', '\xe2\x82', '\x80', '\x1b[1m'].map(latin1),
    ...['é', '€', '😀'].map((text) => Buffer.from(text)),
  )
  await fc.assert(
    fc.asyncProperty(
      fc.array(token, { maxLength: 60 }).map((tokens) => Buffer.concat(tokens)),
      fc.array(fc.nat(), { maxLength: 6 }),
      fc.integer({ min: 1, max: 40 }),
      fc.option(fc.tuple(fc.nat(), fc.nat(), fc.nat(20)), { nil: undefined }),
      async (content, cuts, chunkBytes, hole) => {
        fs.rmSync(paths.dropped, { force: true })
        fs.writeFileSync(paths.output, '')
        // A hole from the start, as the relay leaves it: [head, head + length) never read.
        let expected: LogLine[]
        if (hole && hole[1] + hole[2] > 0) {
          const head = hole[0] % (content.length + 1)
          const until = Math.min(content.length, head + (hole[1] % (content.length - head + 1)) + hole[2])
          if (until === head) return
          writeDropped(paths, head, until)
          expected = [
            ...splitLines(content.subarray(0, head), 0, until > head, until),
            ...splitLines(content.subarray(until), until, false, 0),
          ]
          if (until >= content.length) expected = splitLines(content.subarray(0, head), 0, false, 0)
        } else {
          expected = splitLines(content, 0, false, 0)
        }
        const reader = new LogLineReader(paths, 0, { chunkBytes })
        const lines: LogLine[] = []
        for (const piece of cutBytes(content, cuts)) {
          fs.appendFileSync(paths.output, piece)
          lines.push(...drain(reader))
        }
        lines.push(...drain(reader, true))
        assert.deepEqual(describe(lines), describe(expected))
        assert.equal(reader.offset, content.length)
      },
    ),
    { numRuns: 300 },
  )
})
