// Recognises the lines a developer looks for first, by the output of the usual tools.

/** Higher is more important; 0 is an ordinary line. */
export const LinePriority = { plain: 0, summary: 1, warning: 2, error: 3 } as const
export type LinePriority = (typeof LinePriority)[keyof typeof LinePriority]

const ERROR_PATTERNS: RegExp[] = [
  /\berror(\[E\d+\])?:/i, // cargo `error[E0308]:`, generic `Error:`, git `error:`
  /\berror TS\d+/, // tsc
  /^\S+\(\d+,\d+\): error/, // tsc (pretty off)
  /^\S+:\d+(:\d+)?:?\s+(fatal )?error\b/i, // gcc, go, `file:line: error`
  /^\s*\d+:\d+\s+error\s/, // eslint
  /\bnpm ERR!|ERR_PNPM_|^error Command failed/, // npm, pnpm, yarn
  /^not ok \d+/, // TAP, node:test
  /^\s*(FAIL|FAILED)\b|--- FAIL:|^FAIL\t/, // jest/vitest, pytest, go test
  /^\s*[✗✕×✖]\s/, // test reporters
  /^\s*●\s/, // jest failure headings
  /^E\s{3}/, // pytest assertion lines
  /\bAssertionError\b|\bExpected\b.*\bReceived\b|^\s*(Expected|Received):/,
  /^Traceback \(most recent call last\)|^\w*(Error|Exception): /,
  /\bpanic:|^fatal:|\bFATAL\b|Segmentation fault|core dumped/,
  /^make(\[\d+\])?: \*\*\*/, // make
  /^ERROR\b|failed to solve|^CONFLICT\b/, // docker build, git merge
  /\bUnhandled(Promise)?Rejection|\bUncaught\b/,
  /\bcommand not found\b|\bNo such file or directory\b|\bpermission denied\b/i,
]

const WARNING_PATTERNS: RegExp[] = [/\bwarn(ing)?\b[:!\]]?/i, /^\s*\d+:\d+\s+warning\s/, /\bdeprecated\b/i]

const SUMMARY_PATTERNS: RegExp[] = [
  /^# (tests|pass|fail|cancelled|skipped|todo|duration_ms) \d/, // node:test
  /\bTests?:\s+.*\b(passed|failed)\b/, // jest / vitest
  /^=+ .*\b(passed|failed|error)\b.* in [\d.]+s/, // pytest
  /^test result: /, // cargo
  /^(ok|FAIL)\s+\S+\s+[\d.]+s/, // go test package lines
  /^Found \d+ errors?\b/, // tsc
  /✖ \d+ problems?/, // eslint
  /\b\d+ (passing|failing|pending)\b/, // mocha
  /\bexit (code|status) \d+|\bexited with\b/i,
  /^(Compiled|Built|Finished|Done)\b.*\b(in|after)\b/i,
]

/** Zero counts are summaries, not errors: "0 errors", "errors: 0", "no errors found". */
const ZERO_ERRORS = /\b(0|no) (errors?|failures?|problems?)\b|\berrors?: 0\b|\bfail(ed|ures)?:? 0\b/i

/** How much a developer would want to see this line. */
export function classifyLine(line: string): LinePriority {
  if (line.length === 0) return LinePriority.plain
  if (ZERO_ERRORS.test(line)) return LinePriority.summary
  if (ERROR_PATTERNS.some((pattern) => pattern.test(line))) return LinePriority.error
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
