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

/** The same, with names of another shape each time, so that they do not fold when terse either. */
const unfoldable = (from: number, count: number) =>
  Array.from({ length: count }, (_, i) => [
    `ok ${from + i} - ${'adds an item '.repeat((i % 4) + 1)}to cart ${from + i}`,
    '  ---',
    `  duration_ms: 0.${i}`,
    '  ...',
  ]).flat()

/** Plain lines of a build log, of shapes that do not fold. */
const noise = (count: number) =>
  Array.from({ length: count }, (_, i) =>
    i % 2 ? `compiled module ${i}` : `  wrote chunk-${i}.js (${i} kB)`,
  )

/** A failed node:test test as its TAP reporter writes it. */
const tapFailure = (at: number, name: string, actual: string, expected: string) => [
  `# Subtest: ${name}`,
  `not ok ${at} - ${name}`,
  '  ---',
  '  duration_ms: 2.868469',
  "  location: '/app/test/cart.test.js:12:1'",
  "  failureType: 'testCodeFailure'",
  '  error: |-',
  '    Expected values to be strictly equal:',
  '    + actual - expected',
  '    ',
  `    + '${actual}'`,
  `    - '${expected}'`,
  "  code: 'ERR_ASSERTION'",
  "  name: 'AssertionError'",
  `  expected: '${expected}'`,
  `  actual: '${actual}'`,
  "  operator: 'strictEqual'",
  '  stack: |-',
  '    TestContext.<anonymous> (/app/test/cart.test.js:12:50)',
  '    Test.runInAsyncScope (node:async_hooks:206:9)',
  '  ...',
]

/** A failed node:test test as its spec reporter writes it (and again in its closing list). */
const specFailure = (name: string, actual: string, expected: string) => [
  `✖ ${name} (4.369384ms)`,
  '  AssertionError [ERR_ASSERTION]: Expected values to be strictly equal:',
  '  + actual - expected',
  '  ',
  `  + '${actual}'`,
  `  - '${expected}'`,
  '      at TestContext.<anonymous> (/app/test/cart.test.js:12:50)',
  '      at Test.runInAsyncScope (node:async_hooks:206:9)',
  '      at async Test.processPendingSubtests (node:internal/test_runner/test:526:7) {',
  '    generatedMessage: true,',
  "    code: 'ERR_ASSERTION',",
  `    actual: '${actual}',`,
  `    expected: '${expected}',`,
  "    operator: 'strictEqual'",
  '  }',
  '',
]

const specPassing = (from: number, count: number) =>
  Array.from({ length: count }, (_, i) => `✔ adds item ${from + i} to the cart (0.${i}ms)`)

const cases: Array<{ rule: string; lines: string[]; shows: string[]; hides: string[]; terse?: true }> = [
  {
    rule: "terse: a test runner's bookkeeping (YAML fences, timings, kinds, zero counts) is left out, unmarked",
    terse: true,
    lines: [
      'TAP version 13',
      ...unfoldable(1, 50),
      ...tapFailure(51, 'applies the member discount', 'DISC-8500', 'DISC-8415'),
      ...unfoldable(52, 50),
      '1..101',
      '# tests 101',
      '# suites 0',
      '# pass 100',
      '# fail 1',
      '# cancelled 0',
      '# skipped 0',
      '# todo 0',
      '# duration_ms 231.499757',
    ],
    shows: [
      [
        'not ok 51 - applies the member discount',
        "  location: '/app/test/cart.test.js:12:1'",
        '  error: |-',
        '    Expected values to be strictly equal:',
        '    + actual - expected',
        '    ',
        "    + 'DISC-8500'",
        "    - 'DISC-8415'",
        "  name: 'AssertionError'",
        '    TestContext.<anonymous> (/app/test/cart.test.js:12:50)',
        '… ',
      ].join('\n'),
      ' …\n# tests 101\n# pass 100\n# fail 1',
    ],
    // The last: the values again as YAML, which the diff above showed.
    hides: [
      'TAP version',
      'duration_ms',
      'failureType',
      'operator',
      'stack: |-',
      '  ---',
      '# suites',
      '# todo',
      '1..101',
      "expected: 'DISC",
    ],
  },
  {
    rule: "terse: a passing test ends a failure's context (its YAML block left out)",
    terse: true,
    lines: [
      ...unfoldable(1, 50),
      'not ok 51 - breaks',
      '  ---',
      '  duration_ms: 0.5',
      '  ...',
      ...unfoldable(52, 50),
      'not ok 102 - breaks too',
      ...unfoldable(103, 50),
      '# fail 2',
    ],
    shows: ['not ok 51 - breaks\n… ', 'not ok 102 - breaks too\n… '],
    hides: ['ok 52 -', 'ok 103 -', 'duration_ms'],
  },
  {
    rule: "a failure shown already is not shown again (the spec reporter's closing list), but each failure is",
    lines: [
      ...specPassing(1, 30),
      ...specFailure('applies the member discount', 'DISC-8500', 'DISC-8415'),
      ...specPassing(31, 30),
      ...specFailure('charges shipping by weight', 'SHIP-0999', 'SHIP-1299'),
      'ℹ tests 62',
      'ℹ fail 2',
      '',
      '✖ failing tests:',
      '',
      'test at test/cart.test.js:12:1',
      ...specFailure('applies the member discount', 'DISC-8500', 'DISC-8415'),
      'test at test/cart.test.js:26:1',
      ...specFailure('charges shipping by weight', 'SHIP-0999', 'SHIP-1299'),
    ],
    shows: [
      "  + 'DISC-8500'\n  - 'DISC-8415'\n      at TestContext",
      "  + 'SHIP-0999'\n  - 'SHIP-1299'\n      at TestContext",
    ],
    hides: [],
  },
  {
    rule: 'the head is how the output began: its first line, not the first passing tests',
    lines: ['> shop@1.0.0 test', ...passing(1, 100), 'not ok 101 - breaks', '# fail 1'],
    shows: ['> shop@1.0.0 test\n… '],
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
    rule: "a line that says where (rustc's -->, a frame of the user's code) is part of the error's context",
    lines: [
      ...noise(60),
      'error[E0425]: cannot find value `prot` in this scope',
      ' --> src/lib.rs:7:24',
      '  |',
      '7 |     format!("port {}", prot)',
      '  |                        ^^^^',
      ...noise(60),
    ],
    shows: [' --> src/lib.rs:7:24\n  |\n7 |     format!("port {}", prot)\n  |                        ^^^^\n'],
    hides: [],
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

for (const { rule, lines, shows, hides, terse } of cases) {
  test(`a view of the problems: ${rule}`, () => {
    const view = buildView(`${lines.join('\n')}\n`, { budgetBytes: 4096, focus: 'problems', terse })
    for (const part of shows)
      assert.ok(view.text.includes(part), `shows ${JSON.stringify(part)}:\n${view.text}`)
    for (const part of hides)
      assert.ok(!view.text.includes(part), `hides ${JSON.stringify(part)}:\n${view.text}`)
  })
}

test('a view of the problems shows each failure once, however often the runner reports it', () => {
  const once = (name: string) => [
    ...specFailure('applies the member discount', 'DISC-8500', 'DISC-8415'),
    ...specFailure(name, 'SHIP-0999', 'SHIP-1299'),
  ]
  const lines = [
    ...specPassing(1, 60),
    ...once('charges shipping by weight'),
    '✖ failing tests:',
    ...once('charges shipping by weight'),
  ]
  const view = buildView(`${lines.join('\n')}\n`, { budgetBytes: 1500, focus: 'problems' })
  const count = (part: string) => view.text.split(part).length - 1
  assert.equal(count('✖ applies the member discount'), 1, view.text)
  assert.equal(count('✖ charges shipping by weight'), 1, view.text)
  assert.equal(count("+ 'DISC-8500'"), 1, view.text)
  assert.equal(count("+ 'SHIP-0999'"), 1, view.text)
  assert.equal(count('at TestContext'), 2, view.text)
})

test('a terse view of a passing TAP suite is its first and last test and its summary; it says lines were left out', () => {
  const lines = [
    'TAP version 13',
    ...passing(1, 40).flatMap((line) =>
      line.startsWith('ok ') ? [`# Subtest: ${line.slice(5)}`, line] : [line],
    ),
    '1..40',
    '# tests 40',
    '# suites 0',
    '# pass 40',
    '# fail 0',
    '# cancelled 0',
    '# skipped 0',
    '# todo 0',
    '# duration_ms 288.230002',
  ]
  const view = buildView(`${lines.join('\n')}\n`, { budgetBytes: 1024, terse: true })
  assert.equal(
    view.text,
    [
      'ok 1 - adds item 1 to the cart',
      '… 38 similar lines …',
      'ok 40 - adds item 40 to the cart',
      '# tests 40',
      '# pass 40',
      '# fail 0',
    ].join('\n'),
  )
  assert.equal(view.truncated, true)
  assert.equal(
    view.totalLines,
    lines.length - 37,
    'the 38 folded lines count as the marker that stands for them',
  )
  assert.equal(view.keptLines + view.omittedLines, view.totalLines)
  // Without terse, every line is there to be shown: the view is the tail of a 6 KB log.
  assert.match(buildView(`${lines.join('\n')}\n`, { budgetBytes: 1024 }).text, /duration_ms/)
})

test("a failure reported in a suite, then unindented in the runner's closing list, is shown once", () => {
  const inSuite = (name: string, actual: string, expected: string) =>
    specFailure(name, actual, expected).map((line) => (line === '' ? line : `  ${line}`))
  const lines = [
    '▶ cart',
    ...specPassing(1, 60).map((line) => `  ${line}`),
    ...inSuite('applies the member discount', 'DISC-8500', 'DISC-8415'),
    '✖ cart (12.5ms)',
    'ℹ fail 1',
    '✖ failing tests:',
    'test at test/cart.test.js:12:1',
    ...specFailure('applies the member discount', 'DISC-8500', 'DISC-8415'),
  ]
  const view = buildView(`${lines.join('\n')}\n`, { budgetBytes: 4096, focus: 'problems', terse: true })
  assert.equal(view.text.split("+ 'DISC-8500'").length - 1, 1, view.text)
  assert.match(view.text, /^ {2}✖ applies the member discount/m)
})

/** Lines of a view of the problems of `lines`, terse, at the completion budget. */
const terseProblems = (lines: string[]) =>
  buildView(`${lines.join('\n')}\n`, { budgetBytes: 4096, focus: 'problems', terse: true }).text

test('an error that is no test heading is shown each time it comes: a retry loop, each cycle of a watch build', () => {
  const attempt = (n: number) => [
    `[worker] attempt ${n}`,
    'Error: connect ECONNREFUSED 127.0.0.1:54329',
    '    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1555:16)',
  ]
  const lines = [...attempt(1), ...noise(80), ...attempt(2), ...noise(80), '[worker] fatal: giving up']
  const view = terseProblems(lines)
  assert.equal(view.split('Error: connect ECONNREFUSED').length - 1, 2, view)
})

test("terse keeps what is not a runner's bookkeeping: `...` in node's diff, a failed hook's kind, values with no diff above", () => {
  const view = terseProblems([
    ...unfoldable(1, 40),
    'not ok 41 - big config',
    '  ---',
    '  duration_ms: 1.2',
    '  error: |-',
    '    Expected values to be strictly deep-equal:',
    '    + actual - expected ... Lines skipped',
    '    ',
    '      {',
    "        database: 'shop',",
    '    ...',
    '        retries: 3,',
    '  ...',
    'not ok 42 - db',
    '  ---',
    "  failureType: 'hookFailed'",
    "  error: 'connect ECONNREFUSED 127.0.0.1:5432'",
    '  ...',
    'not ok 43 - truthy',
    '  ---',
    "  error: 'The expression evaluated to a falsy value'",
    '  expected: true',
    '  actual: false',
    '  ...',
    ...unfoldable(44, 40),
    '# fail 3',
  ])
  for (const part of [
    "        database: 'shop',\n    ...\n        retries: 3,",
    "failureType: 'hookFailed'",
    '  expected: true\n  actual: false',
  ])
    assert.ok(view.includes(part), `shows ${JSON.stringify(part)}:\n${view}`)
  assert.ok(!view.includes('duration_ms'), view)
})

test("a view of the problems shows an assertion diff whole past the error's context, with the budget left over", () => {
  const keys = Array.from({ length: 16 }, (_, i) => `      key${i}: 'value-${i}',`)
  const view = terseProblems([
    ...specPassing(1, 60),
    '✖ loads the config (1.2ms)',
    '  AssertionError [ERR_ASSERTION]: Expected values to be strictly deep-equal:',
    '  + actual - expected',
    '  ',
    '    {',
    ...keys,
    '  +   ssl: true,',
    '  -   ssl: false,',
    '    }',
    '      at TestContext.<anonymous> (/app/test/config.test.js:7:10)',
    '      at Test.runInAsyncScope (node:async_hooks:206:9)',
    ...specPassing(61, 60),
    'ℹ fail 1',
  ])
  assert.ok(view.includes('  +   ssl: true,\n  -   ssl: false,\n    }\n      at TestContext'), view)
})

test('a check failing the same way for two targets is shown for both: only a closing list of failures repeats', () => {
  const region = (name: string) => [
    `deploying to ${name}`,
    ...noise(30),
    '✖ health check failed',
    '  GET /health → 503 Service Unavailable',
  ]
  const view = terseProblems([...region('eu-west-1'), ...region('us-east-1'), 'deploy failed: 2 regions'])
  assert.equal(view.split('✖ health check failed').length - 1, 2, view)
})

test("terse leaves a runner's field names alone inside an assertion diff and an error message", () => {
  const view = terseProblems([
    ...unfoldable(1, 40),
    'not ok 41 - parses the expression',
    '  ---',
    '  duration_ms: 1.2',
    '  error: |-',
    '    Expected values to be strictly deep-equal:',
    '    + actual - expected',
    '    ',
    '      {',
    "    +   operator: 'in',",
    "    -   operator: '==',",
    "        type: 'BinaryExpression'",
    '      }',
    "  code: 'ERR_ASSERTION'",
    '  ...',
    ...unfoldable(42, 40),
    '# fail 1',
  ])
  for (const part of ["+   operator: 'in',", "-   operator: '==',", "type: 'BinaryExpression'"])
    assert.ok(view.includes(part), `shows ${JSON.stringify(part)}:\n${view}`)
  assert.ok(!view.includes("code: 'ERR_ASSERTION'"), view)
})
