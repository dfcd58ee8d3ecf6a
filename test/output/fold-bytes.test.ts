import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { buildView, foldRepeats, RepeatFolder, ViewBuilder } from '../../src/output/index.js'
import { cutBytes } from '../helpers/output.js'

/** Decodes as ViewBuilder does: malformed sequences become U+FFFD, a byte order mark stays. */
const decode = (bytes: Uint8Array) => new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes)

/** Where a template takes a varying token. */
const SLOT = '\u0000'

/** Pieces of a line: words, marks, white space, escapes, redraws and characters of 2–4 bytes. */
const piece = fc.oneof(
  { weight: 3, arbitrary: fc.constant(SLOT) },
  {
    weight: 8,
    arbitrary: fc.constantFrom(
      'case',
      ' ',
      '  ',
      'x',
      'ab',
      '_',
      ':',
      '.',
      '(',
      ')',
      'ms',
      '\t',
      '\u00a0',
      '✔',
      'é',
      '日本',
      '🎉',
      '\ufeff',
      '\ufffd',
      '\u001b[32m',
      '\u001b[0m',
      '\u009b1m',
      '\u001b]0;title\u0007',
      'progress\r',
      '\b',
    ),
  },
  // Bytes that are no character: a stray continuation (0xa0 is half a no-break space), a lead
  // byte cut short, a byte never in UTF-8.
  { weight: 1, arbitrary: fc.constantFrom(Buffer.from([0xa0]), Buffer.from([0xc2]), Buffer.from([0xff])) },
)

/** Tokens a slot takes: numbers, times, hex ids and words that only look like them. */
const token = fc.oneof(
  fc.nat({ max: 100_000 }).map(String),
  fc.constantFrom('1.5', '12:30:45', '007', 'deadbee1', 'abcdef12', 'ABCDEF0', 'cafe', '0x1f', '1e5', ''),
)

/**
 * Runs of lines, each from one of a few templates (so shapes come back after other runs), now and
 * then a line of another shape or of raw bytes.
 */
const stream = fc.record({
  templates: fc.array(fc.array(piece, { minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 3 }),
  runs: fc.array(
    fc.record({
      template: fc.nat(),
      tokens: fc.array(token, { minLength: 1, maxLength: 40 }),
      count: fc.oneof(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 160 })),
      oddEvery: fc.integer({ min: 0, max: 120 }),
      odd: fc.oneof(
        fc.uint8Array({ maxLength: 12 }),
        fc.constantFrom('error: boom', '', '   ', '\u00a0'),
        // The run's own line with something before or after it, which may or may not change its shape.
        fc.record({
          extra: fc.constantFrom(
            ...[[0xa0], [0xc2], [0xff], [0xc2, 0xa0], [0x20], [0x1b, 0x5b, 0x31, 0x6d]].map((b) =>
              Buffer.from(b),
            ),
          ),
          isBefore: fc.boolean(),
        }),
      ),
    }),
    { maxLength: 8 },
  ),
})

type Stream = typeof stream extends fc.Arbitrary<infer T> ? T : never

/** The bytes of the runs, each line ending in \n (but a raw odd line may hold one too). */
function bytesOf({ templates, runs }: Stream): Buffer {
  const parts: Buffer[] = []
  for (const { template, tokens, count, oddEvery, odd } of runs) {
    let next = 0
    for (let i = 0; i < count; i++) {
      const isOdd = oddEvery > 0 && i % oddEvery === oddEvery - 1
      const around = isOdd && typeof odd === 'object' && 'extra' in odd ? odd : undefined
      if (isOdd && around === undefined) {
        parts.push(Buffer.from(odd as string | Uint8Array), Buffer.from('\n'))
        continue
      }
      if (around?.isBefore) parts.push(around.extra)
      for (const p of templates[template % templates.length]!) {
        parts.push(Buffer.from(p === SLOT ? tokens[next++ % tokens.length]! : p))
      }
      if (around && !around.isBefore) parts.push(around.extra)
      parts.push(Buffer.from('\n'))
    }
  }
  return Buffer.concat(parts)
}

/** Where pieces of whole lines end: each cut moved on to the end of its line. */
function lineEnds(bytes: Buffer, cuts: number[]): number[] {
  const ends = cuts.map((c) => c % (bytes.length + 1)).map((c) => bytes.indexOf(10, c) + 1)
  return [...new Set([...ends.filter((end) => end > 0), bytes.length])].sort((a, b) => a - b)
}

test('lines pushed in pieces, as bytes or as text, fold as they do pushed one by one', () => {
  fc.assert(
    fc.property(stream, fc.array(fc.nat(), { maxLength: 8 }), (input, cuts) => {
      const bytes = bytesOf(input)
      const text = decode(bytes)
      const expected = foldRepeats(text === '' ? [] : text.slice(0, -1).split('\n'))
      const fromBytes: string[] = []
      const byteFolder = new RepeatFolder((line) => fromBytes.push(line))
      const fromText: string[] = []
      const textFolder = new RepeatFolder((line) => fromText.push(line))
      let at = 0
      for (const end of lineEnds(bytes, cuts)) {
        byteFolder.pushLineBytes(bytes.subarray(at, end))
        textFolder.pushLines(decode(bytes.subarray(at, end)))
        at = end
      }
      byteFolder.flush()
      textFolder.flush()
      assert.deepEqual(fromBytes, expected)
      assert.deepEqual(fromText, expected)
    }),
    { numRuns: 1500 },
  )
})

test('a view of runs streamed as bytes in any chunks is the view of their decoded text', () => {
  fc.assert(
    fc.property(
      stream,
      fc.array(fc.nat(), { maxLength: 30 }),
      fc.integer({ min: 64, max: 20_000 }),
      (input, cuts, budget) => {
        const bytes = bytesOf(input)
        const builder = new ViewBuilder({ budgetBytes: budget })
        for (const chunk of cutBytes(bytes, cuts)) builder.push(chunk)
        assert.deepEqual(builder.finish(), buildView(decode(bytes), { budgetBytes: budget }))
      },
    ),
    { numRuns: 1000 },
  )
})
