// The workflow's project: a dev server and a node:test suite of 40 tests, 3 of which fail with an
// assertion diff, written into a temp directory; and the facts a run must reach about the failures.
import fs from 'node:fs'
import path from 'node:path'

/** How many tests the suite has; FAILURES are among them. */
export const TEST_COUNT = 40

/** The failing tests: where they sit in the suite (1-based), their names and their two values. */
export const FAILURES = [
  { at: 9, name: 'applies the member discount', expected: 'DISC-8415', actual: 'DISC-8500' },
  { at: 23, name: 'charges shipping by weight', expected: 'SHIP-1299', actual: 'SHIP-0999' },
  { at: 31, name: 'counts items in a nested cart', expected: 'ITEMS-17', actual: 'ITEMS-14' },
] as const

/** The dev server prints this, then the URL. */
export const LISTENING = 'listening on'

/** The command that starts the dev server, run from the project directory. */
export const SERVER_COMMAND = 'node server.js'
/** The command that runs the suite, run from the project directory. */
export const TEST_COMMAND = 'node --test'
/** The unrelated command run while the suite runs. */
export const UNRELATED_COMMAND = 'ls'

/**
 * The ten facts a run must reach: each failing test's name, expected and actual value, and that
 * three tests failed (node:test's summary line, TAP or spec).
 */
export const FACTS: Array<{ fact: string; pattern: RegExp }> = [
  ...FAILURES.flatMap(({ name, expected, actual }) => [
    { fact: name, pattern: new RegExp(name) },
    { fact: `expected ${expected}`, pattern: new RegExp(expected) },
    { fact: `actual ${actual}`, pattern: new RegExp(actual) },
  ]),
  // Read prefixes each line with its number and a tab.
  { fact: '3 failed', pattern: /^(\d+\t)?[#ℹ] fail 3$/m },
]

/** The facts found in the texts the model read. */
export function findFacts(texts: readonly string[]): string[] {
  const all = texts.join('\n')
  return FACTS.filter(({ pattern }) => pattern.test(all)).map(({ fact }) => fact)
}

/** Writes the project (server.js, test/cart.test.js, package.json) into an empty directory. */
export function writeProject(dir: string): void {
  fs.mkdirSync(path.join(dir, 'test'), { recursive: true })
  fs.writeFileSync(path.join(dir, 'package.json'), '{ "name": "shop", "private": true }\n')
  fs.writeFileSync(
    path.join(dir, 'server.js'),
    [
      "const http = require('node:http')",
      "const server = http.createServer((req, res) => res.end('ok\\n'))",
      // Port 0: the OS picks a free port, so runs side by side never collide.
      `server.listen(0, '127.0.0.1', () => console.log(\`${LISTENING} http://127.0.0.1:\${server.address().port}\`))`,
      '',
    ].join('\n'),
  )
  const tests = ["const test = require('node:test')", "const assert = require('node:assert/strict')", '']
  for (let at = 1; at <= TEST_COUNT; at += 1) {
    const failure = FAILURES.find((f) => f.at === at)
    if (failure)
      tests.push(`test('${failure.name}', () => assert.equal('${failure.actual}', '${failure.expected}'))`)
    else tests.push(`test('adds item ${at} to the cart', () => assert.equal(${at} + 1, ${at + 1}))`)
  }
  fs.writeFileSync(path.join(dir, 'test', 'cart.test.js'), `${tests.join('\n')}\n`)
}
