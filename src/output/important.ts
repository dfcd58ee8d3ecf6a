// Recognises the lines a developer looks for first, by the output of the usual tools: npm, pnpm,
// yarn, tsc, node:test (spec and TAP), vitest, jest, pytest, cargo, go, make + gcc/clang, eslint,
// biome, git and docker build.

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
  /^[#ℹ] (tests|pass|fail|cancelled|skipped|todo|duration_ms) \d/, // node:test (TAP, spec)
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
 * Words or marks without which no pattern above can match: one cheap test lets the ordinary
 * line (most of a 100 MB log) through without trying forty patterns.
 */
const MAYBE_IMPORTANT =
  /err|fail|warn|deprecat|panic|fatal|segmentation|core dumped|not ok|[✗✕×✖●ℹ#]|^E {3}|expected|received|traceback|exception|\*\*\*|conflict|cannot|uncaught|unhandled|not found|no such file|permission denied|\d+:\d+|\(\d+,\d+\)|passed|passing|pending|problems?\b|test result|^ok\s|exit|finished|compiled|built|done|\bat |_test\.go:|\bFile "/i

/** How much a developer would want to see this line. */
export function classifyLine(line: string): LinePriority {
  if (line.length === 0 || !MAYBE_IMPORTANT.test(line)) return LinePriority.plain
  if (ZERO_ERRORS.test(line)) return LinePriority.summary
  if (ERROR_PATTERNS.some((pattern) => pattern.test(line)) || DIAGNOSTIC.test(line)) return LinePriority.error
  if (SUMMARY_PATTERNS.some((pattern) => pattern.test(line))) return LinePriority.summary
  if (WARNING_PATTERNS.some((pattern) => pattern.test(line))) return LinePriority.warning
  // Stack frames of the code at fault: `    at fn (src/x.ts:3:4)`, Python `File "x.py", line 3`.
  if (
    /^\s+at .+:\d+:\d+\)?$/.test(line) &&
    !line.includes('node_modules') &&
    !line.includes('node:internal')
  ) {
    return LinePriority.warning
  }
  if (/^\s*File ".+", line \d+/.test(line) || /^\s*--> .+:\d+:\d+/.test(line)) return LinePriority.warning
  return LinePriority.plain
}
