import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import {
  buildView,
  collapseRedraws,
  getLineShape,
  isSameShape,
  stripAnsi,
  ViewBuilder,
} from '../../src/output/index.js'
import { assertViewFromSource, cutBytes } from '../helpers/output.js'

function viewOf(chunks: readonly (Buffer | string)[], budgetBytes: number) {
  const builder = new ViewBuilder({ budgetBytes })
  for (const piece of chunks) builder.push(piece)
  return builder.finish()
}

const outputLine = fc.oneof(
  fc.string({ maxLength: 60 }),
  fc.constantFrom(
    'error: boom',
    'warning: careful',
    '# fail 1',
    'ok 1 - fine',
    'same line',
    '',
    'not ok 2 - x',
    'héllo wörld — ✓ 日本語 🎉',
    '\u001b[31mred error:\u001b[0m bad',
    'progress 10%\rprogress 55%\rprogress 100%',
    'line ending\r',
  ),
  fc.string({ minLength: 200, maxLength: 3000, unit: 'grapheme' }),
)

test('any chunking of the same bytes gives the same view as the whole text', () => {
  fc.assert(
    fc.property(
      fc.array(outputLine, { maxLength: 200 }),
      fc.array(fc.nat(), { maxLength: 40 }),
      fc.integer({ min: 64, max: 20_000 }),
      (lines, cuts, budget) => {
        const raw = lines.join('\n')
        const whole = buildView(raw, { budgetBytes: budget })
        const view = viewOf(cutBytes(Buffer.from(raw), cuts), budget)
        assert.deepEqual(view, whole)
      },
    ),
    { numRuns: 1500 },
  )
})

test('chunked views stay within budget, never invent a line, and keep the order', () => {
  fc.assert(
    fc.property(
      fc.array(outputLine, { maxLength: 300 }),
      fc.array(fc.nat(), { maxLength: 60 }),
      fc.integer({ min: 64, max: 20_000 }),
      (lines, cuts, budget) => {
        const raw = lines.join('\n')
        const view = viewOf(cutBytes(Buffer.from(raw), cuts), budget)
        const processed = raw
          .split('\n')
          .map((line) => collapseRedraws(stripAnsi(line)))
          .join('\n')
        assertViewFromSource(view, processed, budget)
      },
    ),
    { numRuns: 1500 },
  )
})

test('isSameShape agrees with getLineShape on words apart', () => {
  const token = fc.constantFrom(
    'a',
    'b',
    'x',
    ' ',
    ':',
    '.',
    '1',
    '42',
    '3.14',
    '12:30:45',
    'deadbeef1',
    'abc1234',
    '_',
  )
  const line = fc.array(token, { maxLength: 12 }).map((parts) => parts.join(' '))
  fc.assert(
    fc.property(line, line, (a, b) => {
      if (a.trim() === '' || b.trim() === '') return
      assert.equal(isSameShape(a, b), getLineShape(a) === getLineShape(b), `${a} | ${b}`)
    }),
    { numRuns: 5000 },
  )
})

test('a character split across chunks is decoded whole', () => {
  const bytes = Buffer.from('naïve 日本 🎉 done\n')
  const view = viewOf(
    [...bytes].map((b) => Buffer.from([b])),
    1024,
  )
  assert.equal(view.text, 'naïve 日本 🎉 done')
})

test('a progress bar redrawn across many chunks collapses to its last state', () => {
  const chunks = ['compiling\n']
  for (let i = 0; i <= 100_000; i++) chunks.push(`\rprogress ${Math.floor(i / 1000)}%`)
  chunks.push('\ndone\n')
  const view = viewOf(chunks, 1024)
  assert.equal(view.text, 'compiling\nprogress 100%\ndone')
})

test('a 50 MB line without a newline is held cut, counted whole', () => {
  const builder = new ViewBuilder({ budgetBytes: 4096 })
  const piece = Buffer.alloc(1 << 20, 'x')
  builder.push('start\n')
  for (let i = 0; i < 50; i++) builder.push(piece)
  builder.push('\nerror: after the long line\n')
  const view = builder.finish()
  assert.ok(Buffer.byteLength(view.text) <= 4096)
  assert.match(view.text, /^start\nx+ …\[\+\d+ bytes\]\nerror: after the long line$/)
  const cut = Number(/\[\+(\d+) bytes\]/.exec(view.text)![1])
  // The mark counts from the line's share of the budget (a quarter): the whole 50 MiB is accounted for.
  assert.equal(cut + 1024, 50 << 20)
})

test('the first error in the middle of a long stream is kept with the end', () => {
  const builder = new ViewBuilder({ budgetBytes: 4096 })
  for (let i = 0; i < 200_000; i++) {
    builder.push(
      `[${i}] step ${i % 7 === 0 ? 'alpha' : i % 7 === 1 ? 'beta' : 'gamma'} done in ${i % 50} ms\n`,
    )
    if (i === 123_456) builder.push('src/app.ts:3:5 - error TS2322: bad type\n')
  }
  builder.push('Found 1 error in src/app.ts:3\n')
  const view = builder.finish()
  assert.ok(Buffer.byteLength(view.text) <= 4096)
  assert.match(view.text, /src\/app\.ts:3:5 - error TS2322: bad type/)
  assert.match(view.text, /Found 1 error in src\/app\.ts:3$/)
  assert.equal(view.firstErrorLine, 'src/app.ts:3:5 - error TS2322: bad type')
})
