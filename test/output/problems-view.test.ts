import assert from 'node:assert/strict'
import { test } from 'node:test'
import { buildView } from '../../src/output/index.js'

/** Passing tests as TAP writes them: consecutive lines differ in shape, so they do not fold. */
const passing = (from: number, count: number) =>
  Array.from({ length: count }, (_, i) => [
    `ok ${from + i} - adds item ${from + i} to the cart`,
    '  ---',
    `  duration_ms: 0.${i}`,
    '  ...',
  ]).flat()

/** Plain lines of a build log, of shapes that do not fold. */
const noise = (count: number) =>
  Array.from({ length: count }, (_, i) =>
    i % 2 ? `compiled module ${i}` : `  wrote chunk-${i}.js (${i} kB)`,
  )

const cases: Array<{ rule: string; lines: string[]; shows: string[]; hides: string[] }> = [
  {
    rule: 'the head is how the output began: its first line, not the first passing tests',
    lines: ['TAP version 13', ...passing(1, 100), 'not ok 101 - breaks', '# fail 1'],
    shows: ['TAP version 13\n… '],
    hides: ['ok 1 - adds item 1 '],
  },
  {
    rule: 'the tail stops at the summary that ends the run: the passing tests before it are the middle',
    lines: [
      'TAP version 13',
      'not ok 1 - breaks',
      ...passing(2, 100),
      '1..101',
      '# tests 101',
      '# suites 0',
      '# fail 1',
    ],
    shows: [' …\n# tests 101\n# suites 0\n# fail 1'],
    hides: ['ok 101 - adds item 101', '1..101'],
  },
  {
    rule: 'the tail keeps the last words no pattern knows, up to the last line kept for its own sake',
    lines: ['starting deploy', 'error: bucket missing', ...noise(200), 'Deploy aborted.', 'See deploy.log'],
    shows: ['compiled module 199\nDeploy aborted.\nSee deploy.log'],
    hides: ['compiled module 99\n'],
  },
  {
    rule: 'the tail does not end on the runtime frames of a last stack trace',
    lines: [
      ...noise(200),
      'TypeError: Cannot read properties of undefined',
      '    at greet (/app/src/greet.js:3:14)',
      '    at Test.run (node:internal/test_runner/test:796:25)',
      '    at async Promise.all (index 0)',
    ],
    shows: ['    at greet (/app/src/greet.js:3:14)\n… 2 lines omitted …'],
    hides: ['node:internal', 'Promise.all'],
  },
]

for (const { rule, lines, shows, hides } of cases) {
  test(`a view of the problems: ${rule}`, () => {
    const view = buildView(`${lines.join('\n')}\n`, { budgetBytes: 4096, focus: 'problems' })
    for (const part of shows)
      assert.ok(view.text.includes(part), `shows ${JSON.stringify(part)}:\n${view.text}`)
    for (const part of hides)
      assert.ok(!view.text.includes(part), `hides ${JSON.stringify(part)}:\n${view.text}`)
  })
}
