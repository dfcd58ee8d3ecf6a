// Recognises the lines a developer looks for first, by the output of the usual tools: npm, pnpm,
// yarn, tsc, node:test (spec and TAP), vitest, jest, pytest, cargo, go, make + gcc/clang, eslint,
// biome, git and docker build.
import { isUserFrame } from './stack-frame.js'

/** Higher is more important; 0 is an ordinary line. */
export const LinePriority = { plain: 0, summary: 1, warning: 2, error: 3 } as const
export type LinePriority = (typeof LinePriority)[keyof typeof LinePriority]

const ERROR_PATTERNS: RegExp[] = [
  /\berror(\[E\d+\])?:/i, // cargo `error[E0308]:`, gcc `file:1:2: error:`, generic `Error:`, git `error:`
  /\berror TS\d+/, // tsc
  /^\S+\(\d+,\d+\): error/, // tsc (pretty off)
  /^\S+:\d+(:\d+)?:?\s+(fatal )?error\b/i, // gcc, go, `file:line: error`
  /^\s*\d+:\d+\s+error\s/, // eslint
  /\bnpm ERR!|^npm error\b|ERR_PNPM_|^error\b/, // npm (6-10, 11+), pnpm, yarn
  /^\s*not ok \d+/, // TAP, node:test (subtests are indented)
  /^\s*(FAIL|FAILED)\b|--- FAIL:|^FAIL\t|\s(FAILED|FAIL)(\s+\[\s*\d+%\])?$/, // jest/vitest, pytest (-v), go test, cargo test
  /^\s*[✗✕×✖]\s/, // test reporters, biome
  /^\s*●\s/, // jest failure headings
  /^E\s{3}/, // pytest assertion lines
  /^\S+\.\w+:\d+: \w*(Error|Exception)\b/, // pytest `test_x.py:15: AssertionError`
  /\bAssertionError\b|\bExpected\b.*\bReceived\b|^\s*(Expected|Received)( \w+)?:/,
  /^Traceback \(most recent call last\)|^\w*(Error|Exception)( \[\w+\])?: /,
  /\bpanic:|\bpanicked at\b|^fatal:|\bFATAL\b|Segmentation fault|core dumped/,
  /^make(\[\d+\])?: \*\*\*/, // make
  /^ERROR\b|failed to solve|^CONFLICT\b|^Automatic merge failed/, // docker build, git merge
  /\bCannot connect to the Docker daemon\b/,
  /\bUnhandled(Promise)?Rejection|\bUncaught\b/,
  /\bcommand not found\b|\bNo such file or directory\b|\bpermission denied\b/i,
  /^\s+\S+_test\.go:\d+: /, // go test t.Errorf / t.Fatal
]

/** `file.ext:line:col: message` (gcc, clang, go build); a warning or note says so itself. */
const DIAGNOSTIC = /^[\w./@-]*\.\w+:\d+:\d+: (?!warning|note)/

const WARNING_PATTERNS: RegExp[] = [
  /\bwarn(ing)?\b[:!\]]?/i,
  /^\s*\d+:\d+\s+warning\s/,
  /\bdeprecated\b/i,
  /^[\w./@-]*\.\w+:\d+:\d+ [\w/]+/, // biome diagnostic headings `src/x.ts:4:10 lint/style/useTemplate`
]

const SUMMARY_PATTERNS: RegExp[] = [
  /^[#ℹ] (tests|suites|pass|fail|cancelled|skipped|todo|duration_ms) \d/, // node:test (TAP, spec)
  /\bTests?( Files)?:?\s+.*\b(passed|failed)\b/, // jest / vitest
  /^=+ .*\b(passed|failed|error)\b.* in [\d.]+s/, // pytest
  /^test result: /, // cargo
  /^(ok|FAIL)\s+\S+\s+[\d.]+s/, // go test package lines
  /^Found \d+ (errors?|warnings?|infos?)\b/, // tsc, biome
  /[✖×] \d+ problems?/, // eslint
  /\b\d+ (passing|failing|pending)\b/, // mocha
  /\bexit (code|status) \d+|\bexited with\b/i,
  /^(Compiled|Built|Finished|Done)\b.*\b(in|after)\b/i,
  /^\s*Finished\b/, // cargo
  /\bnot remade because of errors\b/, // make -k
]

/** Zero counts are summaries, not errors: "0 errors", "errors: 0", "no errors found". */
const ZERO_ERRORS = /\b(0|no) (errors?|failures?|problems?)\b|\berrors?: 0\b|\bfail(ed|ures)?:? 0\b/i

/**
 * Words and marks without which no pattern here can match (lower case). Testing for them first
 * lets an ordinary line (most of a 100 MB log) through without trying forty patterns.
 */
const TRIGGERS = [
  'err',
  'fail',
  'warn',
  'deprecat',
  'panic',
  'fatal',
  'segmentation',
  'core dumped',
  'not ok',
  'expected',
  'received',
  'traceback',
  'exception',
  'conflict',
  'automatic merge',
  'cannot',
  'uncaught',
  'unhandled',
  'not found',
  'no such file',
  'permission denied',
  'passed',
  'passing',
  'pending',
  'problem',
  'test result',
  'exit',
  'finished',
  'compiled',
  'built',
  'done',
  'at ',
  'file "',
  '_test.go:',
  '***',
  '✗',
  '✕',
  '×',
  '✖',
  '●',
  'ℹ',
  '-->',
  '# tests',
  '# suites',
  '# pass',
  '# fail',
  '# cancelled',
  '# skipped',
  '# todo',
  '# duration_ms',
]
/** Marks that are triggers on their own (non-ASCII test reporter glyphs). */
const MARKS = new Set(TRIGGERS.filter((word) => word.charCodeAt(0) > 127).map((word) => word.charCodeAt(0)))
/**
 * The ASCII triggers by their first two characters (lower-cased, 7 bits each): one table look-up
 * per character rejects almost every position of an ordinary line.
 */
const TRIGGERS_BY_PAIR: (string[] | undefined)[] = new Array(1 << 14)
for (const word of TRIGGERS) {
  if (word.charCodeAt(0) > 127) continue
  const pair = (word.charCodeAt(0) << 7) | word.charCodeAt(1)
  TRIGGERS_BY_PAIR[pair] = [...(TRIGGERS_BY_PAIR[pair] ?? []), word]
}
/** Patterns anchored at the start of a line: cheap to try on every line. */
const LINE_START = /^(?:E {3}|ok\s+\S+\s+[\d.]+s|FAIL\t|[\w./@-]*\.\w+:\d+:\d+)/

const lower = (c: number) => (c >= 65 && c <= 90 ? c | 32 : c)

function hasTriggerAt(line: string, at: number, word: string): boolean {
  if (at + word.length > line.length) return false
  for (let k = 2; k < word.length; k++) {
    if (lower(line.charCodeAt(at + k)) !== word.charCodeAt(k)) return false
  }
  return true
}

/** Whether a line may be anything but plain (false means plain for sure). */
function mayBeImportant(line: string): boolean {
  let previous = lower(line.charCodeAt(0))
  if (MARKS.has(previous)) return true
  for (let i = 1; i < line.length; i++) {
    const c = lower(line.charCodeAt(i))
    if (c > 127) {
      if (MARKS.has(c)) return true
    } else if (previous < 128) {
      const words = TRIGGERS_BY_PAIR[(previous << 7) | c]
      if (words !== undefined) {
        for (const word of words) if (hasTriggerAt(line, i - 1, word)) return true
      }
    }
    previous = c
  }
  return LINE_START.test(line)
}

/** How much a developer would want to see this line. */
export function classifyLine(line: string): LinePriority {
  if (line.length === 0 || !mayBeImportant(line)) return LinePriority.plain
  if (ZERO_ERRORS.test(line)) return LinePriority.summary
  if (ERROR_PATTERNS.some((pattern) => pattern.test(line)) || DIAGNOSTIC.test(line)) return LinePriority.error
  if (SUMMARY_PATTERNS.some((pattern) => pattern.test(line))) return LinePriority.summary
  if (WARNING_PATTERNS.some((pattern) => pattern.test(line))) return LinePriority.warning
  if (isPointer(line)) return LinePriority.warning
  return LinePriority.plain
}

/** The heading of an assertion diff: node's assert (`+ actual - expected`), jest and vitest (`- Expected`). */
export function isDiffHeader(line: string): boolean {
  return /^\s*(?:\+ actual - expected\b|- Expected\b)/.test(line)
}

/**
 * A line that says where in the code: a stack frame of the code at fault (`    at fn (src/x.ts:3:4)`),
 * Python's `File "x.py", line 3`, rustc's ` --> src/lib.rs:7:24`. Under an error it is part of
 * what explains it.
 */
export function isPointer(line: string): boolean {
  return isUserFrame(line) || /^\s*File ".+", line \d+/.test(line) || /^\s*--> .+:\d+:\d+/.test(line)
}
