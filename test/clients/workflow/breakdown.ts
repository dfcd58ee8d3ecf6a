// Where a result's tokens go, by kind of line: node:test's TAP output (passing tests, failures,
// stack traces, the summary), the view's omission markers, and everything else (bgbash's own
// lines, the other command's output).
import { tokensOf } from '../matrix-tokens.js'
import { FAILURES } from './project.js'

export const LINE_KINDS = [
  'passing tests',
  'failures',
  'stack traces',
  'summary',
  'omission markers',
  'other',
] as const
export type LineKind = (typeof LINE_KINDS)[number]

const TEST_LINE = /^(not )?ok \d+ - /
const SUMMARY = /^(TAP version \d+|1\.\.\d+|# (tests|suites|pass|fail|cancelled|skipped|todo|duration_ms) )/
const OMITTED = /^… .* omitted\b/

/** The kind of each line: a test's YAML block takes the kind of its `ok` / `not ok` line. */
export function classifyLines(text: string): Array<{ line: string; kind: LineKind }> {
  const lines = text.split('\n')
  const kinds: LineKind[] = []
  let block: LineKind = 'other'
  let inStack = false
  for (const [index, line] of lines.entries()) {
    if (OMITTED.test(line)) {
      kinds.push('omission markers')
      continue
    }
    if (line.startsWith('# Subtest: ')) {
      // The test's own line comes next (or after a marker): it says passed or failed.
      const own = lines.slice(index + 1).find((next) => TEST_LINE.test(next))
      kinds.push(own?.startsWith('not ok') ? 'failures' : 'passing tests')
      continue
    }
    if (TEST_LINE.test(line)) {
      block = line.startsWith('not ok') ? 'failures' : 'passing tests'
      inStack = false
      kinds.push(block)
      continue
    }
    if (SUMMARY.test(line)) {
      block = 'other'
      kinds.push('summary')
      continue
    }
    if (block !== 'other' && line.startsWith('  ')) {
      if (line === '  stack: |-') inStack = true
      else if (line === '  ...') inStack = false
      kinds.push(inStack ? 'stack traces' : block)
      continue
    }
    block = 'other'
    kinds.push('other')
  }
  return lines.map((line, index) => ({ line, kind: kinds[index]! }))
}

/** Tokens by kind of line (each line counted with its newline, so the sum is close to the whole). */
export function tokensByKind(text: string): Record<LineKind, number> {
  const totals = Object.fromEntries(LINE_KINDS.map((kind) => [kind, 0])) as Record<LineKind, number>
  for (const { line, kind } of classifyLines(text)) totals[kind] += tokensOf(`${line}\n`)
  return totals
}

/** The failed tests whose assertion diff (`+ actual` / `- expected`) a text shows. */
export function findDiffsShown(text: string): string[] {
  return FAILURES.filter(
    ({ expected, actual }) => text.includes(`+ '${actual}'`) && text.includes(`- '${expected}'`),
  ).map(({ name }) => name)
}
