import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { classifyLine, LinePriority } from '../../src/output/important.js'
import { buildView, collapseRedraws, foldRepeats, isFoldMarker, stripAnsi } from '../../src/output/index.js'
import { assertViewFromSource } from '../helpers/output.js'

/** Generated output lines hold no line breaks, backspaces or escapes (those have their own tests). */
const CONTROLS = new Set(['\n', '\r', '\b', '\u001b', '\u009b'])
const withoutControls = (s: string) => [...s].filter((ch) => !CONTROLS.has(ch)).join('')

const WORDS = ['parser', 'lexer', 'router', 'cache', 'queue', 'store', 'config']

test('escape sequences are stripped: colours, cursor moves, titles, hyperlinks', () => {
  const raw =
    '\u001b[31mred\u001b[0m \u001b[2K\u001b[1Gbar \u001b]0;title\u0007\u001b]8;;http://x\u001b\\link\u001b]8;;\u001b\\'
  assert.equal(stripAnsi(raw), 'red bar link')
})

test('carriage-return redraws collapse to the final state of the line', () => {
  assert.equal(
    collapseRedraws('progress 10%\rprogress 55%\rprogress 100%\ndone\r\n'),
    'progress 100%\ndone\n',
  )
  assert.equal(collapseRedraws('abcdef\rXY'), 'XYcdef')
  assert.equal(collapseRedraws('ab\bc'), 'ac')
})

test('runs of identical and similar lines fold to one line and a marker', () => {
  const same = Array.from({ length: 240 }, () => 'waiting for db')
  assert.deepEqual(foldRepeats(['start', ...same, 'end']), [
    'start',
    'waiting for db',
    '… repeated 239 times …',
    'end',
  ])
  const similar = Array.from({ length: 100 }, (_, i) => `downloaded chunk ${i} of 100`)
  const folded = foldRepeats(similar)
  assert.deepEqual(folded, [
    'downloaded chunk 0 of 100',
    '… 98 similar lines …',
    'downloaded chunk 99 of 100',
  ])
  assert.ok(isFoldMarker(folded[1]!))
})

test('the usual tools are recognised by their output', () => {
  const errors = [
    "src/app.ts(3,5): error TS2322: Type 'string' is not assignable to type 'number'.",
    'src/app.ts:3:5 - error TS2322: nope',
    'not ok 3 - adds numbers',
    'FAILED tests/test_math.py::test_add - assert 3 == 4',
    'E       assert 3 == 4',
    'error[E0308]: mismatched types',
    '--- FAIL: TestAdd (0.00s)',
    'make: *** [Makefile:3: all] Error 1',
    'npm ERR! code ELIFECYCLE',
    '  3:5  error  Unexpected var  no-var',
    'fatal: not a git repository',
    'ERROR [2/3] RUN npm ci',
    ' FAIL  src/sum.test.ts > adds',
    'AssertionError [ERR_ASSERTION]: Expected values to be strictly equal',
    'Traceback (most recent call last):',
    'panic: runtime error: index out of range',
  ]
  for (const line of errors) assert.equal(classifyLine(line), LinePriority.error, line)
  const summaries = [
    '# fail 2',
    'Tests:  1 failed, 3 passed, 4 total',
    '=== 1 failed, 2 passed in 0.12s ===',
    'test result: FAILED. 1 passed; 1 failed',
    'Found 3 errors in 2 files.',
    '0 errors',
    'no errors found',
  ]
  for (const line of summaries) assert.equal(classifyLine(line), LinePriority.summary, line)
  assert.equal(classifyLine('warning: unused variable `x`'), LinePriority.warning)
  assert.equal(classifyLine('    at add (/app/src/math.ts:12:3)'), LinePriority.warning)
  assert.equal(classifyLine('compiling 3 files'), LinePriority.plain)
})

test('a long failing run keeps its first error and its end within the budget', () => {
  const lines = [
    '> app@1.0.0 test',
    // Consecutive lines differ in shape, so they do not fold: the budget has to choose.
    ...Array.from({ length: 3000 }, (_, i) => `ok ${i + 1} - ${WORDS[i % WORDS.length]} works`),
    'not ok 3001 - parses the config',
    '  error: Unexpected token } in JSON at position 14',
    ...Array.from({ length: 2000 }, (_, i) => `ok ${i + 3002} - later ${WORDS[i % WORDS.length]}`),
    '# tests 5001',
    '# pass 5000',
    '# fail 1',
  ]
  const view = buildView(`${lines.join('\n')}\n`, { budgetBytes: 4096, readHint: 'bash_output bgb-1 offset' })
  assert.ok(Buffer.byteLength(view.text) <= 4096)
  assert.equal(view.truncated, true)
  assert.match(view.text, /not ok 3001 - parses the config/)
  assert.match(view.text, /Unexpected token \}/)
  assert.match(view.text, /# fail 1$/)
  assert.match(view.text, /^> app@1\.0\.0 test/)
  // The first gap says how much was left out and how to read it, once; the others only how many lines.
  const markers = view.text.split('\n').filter((line) => line.startsWith('… '))
  assert.ok(markers.length > 1)
  assert.match(markers[0]!, /^… [\d,]+ lines \([\d.]+ (KB|bytes)\) omitted — bash_output bgb-1 offset …$/)
  for (const marker of markers.slice(1)) assert.match(marker, /^… [\d,]+ lines? omitted …$/)
  assert.equal(view.firstErrorLine, 'not ok 3001 - parses the config')
})

test('a view of 5 MB of output is built quickly', () => {
  const big = Array.from(
    { length: 100_000 },
    (_, i) => `line ${i} ${'x'.repeat(40)} ${i % 997 === 0 ? 'warning: slow' : ''}`,
  ).join('\n')
  const started = performance.now()
  const view = buildView(big, { budgetBytes: 16 * 1024 })
  const elapsed = performance.now() - started
  assert.ok(Buffer.byteLength(view.text) <= 16 * 1024)
  // Not a timing claim (that is the bench's job): a guard against quadratic work.
  assert.ok(elapsed < 5000, `took ${elapsed} ms`)
})

const outputLine = fc.oneof(
  fc.string({ maxLength: 60 }).map(withoutControls),
  fc.constantFrom(
    'error: boom',
    'warning: careful',
    '# fail 1',
    'ok 1 - fine',
    'same line',
    '',
    'not ok 2 - x',
  ),
  fc.string({ minLength: 200, maxLength: 3000 }).map(withoutControls),
)

test('views never exceed their budget, never invent a line, and keep the order', () => {
  fc.assert(
    fc.property(
      fc.array(outputLine, { maxLength: 300 }),
      fc.integer({ min: 64, max: 20_000 }),
      (lines, budget) => {
        const raw = lines.join('\n')
        const view = buildView(raw, { budgetBytes: budget })
        assertViewFromSource(view, collapseRedraws(stripAnsi(raw)), budget)
      },
    ),
    { numRuns: 3000 },
  )
})

test('stripping and collapsing never grow the text and stripping is idempotent', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 400 }), (text) => {
      const stripped = stripAnsi(text)
      assert.equal(stripAnsi(stripped), stripped)
      assert.ok(stripped.length <= text.length)
      assert.ok(collapseRedraws(text).length <= text.length)
    }),
    { numRuns: 2000 },
  )
})

test("a failure's view of the problems shows each failing test with its values, not the passing ones", () => {
  const block = (n: number, failure?: string[]) =>
    failure
      ? [`# Subtest: case ${n}`, `not ok ${n} - case ${n}`, '  ---', '  error: |-', ...failure, '  ...']
      : [`# Subtest: case ${n}`, `ok ${n} - case ${n}`, '  ---', `  duration_ms: 0.${n}`, '  ...']
  const diff = (actual: string, expected: string) => [
    '    Expected values to be strictly equal:',
    '    + actual - expected',
    '    ',
    `    + '${actual}'`,
    `    - '${expected}'`,
    "  name: 'AssertionError'",
  ]
  const failing = new Map([
    [7, diff('four', 'five')],
    [59, diff('beta', 'alpha')],
    [113, diff('expired', 'valid')],
  ])
  const lines = ['TAP version 13']
  for (let n = 1; n <= 120; n++) lines.push(...block(n, failing.get(n)))
  lines.push('1..120', '# tests 120', '# pass 117', '# fail 3')
  const text = `${lines.join('\n')}\n`
  const problems = buildView(text, { budgetBytes: 4096, focus: 'problems' })
  for (const [n, [, , , actual, expected]] of failing) {
    assert.match(problems.text, new RegExp(`not ok ${n} - case ${n}`))
    assert.ok(
      problems.text.includes(actual!.trim()) && problems.text.includes(expected!.trim()),
      `values of ${n}`,
    )
  }
  assert.match(problems.text, /# fail 3$/)
  const passing = (view: string) => view.split('\n').filter((line) => /^ok \d+ /.test(line)).length
  // The ends are where the run began and its last words (the summary), not the passing tests.
  assert.equal(passing(problems.text), 0, `${passing(problems.text)} passing tests shown`)
  const ends = buildView(text, { budgetBytes: 4096 })
  assert.ok(passing(ends.text) > 10, 'a view of the ends fills its budget with them')
  assert.ok(Buffer.byteLength(problems.text) < Buffer.byteLength(ends.text) / 2)
})
