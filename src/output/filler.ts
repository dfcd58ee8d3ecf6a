// Lines that say how a test runner ran rather than what it found: a terse view leaves them out
// before repeats fold (ViewOptions.terse), so a suite's notice spends its tokens on the failures
// and forty passing tests fold to two lines.

/**
 * node:test's TAP diagnostics and its spec reporter's error fields (tap and tape write the same
 * YAML fences): the fences of a YAML block, the timing, the kind of test and of failure, the
 * assertion's operator and code (the error's own line says it is an assertion), the `stack:`
 * heading over the frames, the `# Subtest:` line that repeats the next line's name, the plan, and
 * TAP's version line.
 */
const RUNNER_FIELDS =
  /^\s+(?:---|\.\.\.|duration_ms: [\d.]+|type: '(?:test|suite)'|failureType: '\w+'|operator: '\w+',?|generatedMessage: (?:true|false),?|code: 'ERR_ASSERTION',?|stack: \|-)$|^\s*# Subtest: |^1\.\.\d+$|^TAP version \d+$/

/** node:test's summary lines that count nothing (TAP `#`, spec `ℹ`), and its timing. */
const EMPTY_COUNTS = /^[#ℹ] (?:(?:suites|cancelled|skipped|todo) 0|duration_ms [\d.]+)$/

/** A passing TAP test: the next test, never context of the failure before it. */
export function isPassingTest(line: string): boolean {
  return /^\s*ok \d+\b/.test(line)
}

/** Whether a terse view leaves this line out (unmarked). */
export function isFillerLine(line: string): boolean {
  const first = line.charCodeAt(0)
  // Every filler line starts with a space, `#`, `ℹ`, the plan's `1` or TAP's `T`.
  if (first !== 32 && first !== 35 && first !== 0x2139 && first !== 49 && first !== 84) return false
  return RUNNER_FIELDS.test(line) || EMPTY_COUNTS.test(line)
}
