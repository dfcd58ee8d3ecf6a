import assert from 'node:assert/strict'
import { test } from 'node:test'
import { classifyLine, LinePriority } from '../../src/output/important.js'
import { isLibraryFrame } from '../../src/output/stack-frame.js'
import { buildView } from '../../src/output/view.js'

test('frames of node and of installed packages are library frames; the user code ones are not', () => {
  const cases: Array<[line: string, isLibrary: boolean]> = [
    // node:test TAP (no `at`)
    ['    Test.runInAsyncScope (node:async_hooks:206:9)', true],
    ['    Test.run (node:internal/test_runner/test:796:25)', true],
    ['    async Test.processPendingSubtests (node:internal/test_runner/test:526:7)', true],
    ['    TestContext.<anonymous> (/tmp/shop/test/cart.test.js:12:50)', false],
    // V8 `at`, node:test spec (with the ` {` before the error's fields)
    ['    at Test.run (node:internal/test_runner/test:835:12)', true],
    ['    at async Suite.processPendingSubtests (node:internal/test_runner/test:526:7) {', true],
    ['    at Object.readFileSync (node:fs:441:20)', true],
    ['    at node:internal/main/run_main_module:28:49', true],
    ['    at Module._compile (internal/modules/cjs/loader.js:1137:30)', true],
    ['    at new Promise (<anonymous>)', true],
    ['    at async Promise.all (index 0)', true],
    ['      at Object.<anonymous> (jest/cart.test.cjs:5:80)', false],
    ['    at TestContext.<anonymous> (file:///tmp/shop/orders.test.mjs:7:48)', false],
    ['    at add (/app/src/math.ts:12:3)', false],
    ['    at /app/src/server.ts:40:7', false],
    // packages
    ['    at Promise.then.completed (/app/node_modules/jest-circus/build/utils.js:298:28)', true],
    ['    at C:\\app\\node_modules\\vitest\\dist\\runner.js:10:3', true],
    // Rust backtraces: the standard library and crates, then the user's code
    [
      '             at /rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/library/core/src/panicking.rs:80:14',
      true,
    ],
    [
      '             at /home/me/.cargo/registry/src/index.crates.io-6f17d22bba15001f/tokio-1.40.0/src/runtime.rs:9:5',
      true,
    ],
    ['             at ./src/lib.rs:25:9', false],
    // not frames
    ["  location: '/tmp/shop/test/cart.test.js:12:1'", false],
    ['    see the docs (node:fs)', false],
    ["    - 'DISC-8415'", false],
    ['node:internal/modules/cjs/loader:1228', false],
    ['    at the end (<anonymous>)', true],
    ['    the end (<anonymous>)', false],
  ]
  for (const [line, isLibrary] of cases) assert.equal(isLibraryFrame(line), isLibrary, line)
})

test('a frame of the user code is a warning, a library frame a plain line', () => {
  assert.equal(classifyLine('    at add (/app/src/math.ts:12:3)'), LinePriority.warning)
  assert.equal(classifyLine('    at Object.readFileSync (node:fs:441:20)'), LinePriority.plain)
  assert.equal(classifyLine('    at x (/app/node_modules/pkg/index.js:1:2)'), LinePriority.plain)
})

test("an error's context stops at the first library frame, after the user code's", () => {
  const failure = [
    'not ok 9 - applies the member discount',
    "  name: 'AssertionError'",
    "  expected: 'DISC-8415'",
    '  stack: |-',
    '    TestContext.<anonymous> (/tmp/shop/test/cart.test.js:12:50)',
    '    Test.runInAsyncScope (node:async_hooks:206:9)',
    '    Test.run (node:internal/test_runner/test:796:25)',
    '  ...',
  ]
  // Passing tests as TAP writes them: consecutive lines differ in shape, so they do not fold.
  const filler = Array.from({ length: 200 }, (_, i) => [
    `ok ${i + 10} - adds item ${i + 10} to the cart`,
    '  ---',
    `  duration_ms: 0.${i}`,
    '  ...',
  ]).flat()
  const text = ['TAP version 13', ...failure, ...filler, '# fail 1'].join('\n')
  const view = buildView(text, { budgetBytes: 4096, focus: 'problems' })
  assert.match(view.text, /TestContext\.<anonymous> \(\/tmp\/shop\/test\/cart\.test\.js:12:50\)\n… /)
  assert.doesNotMatch(view.text, /node:async_hooks|node:internal/)
})
