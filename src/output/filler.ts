// Lines that say how a test runner ran rather than what it found: a terse view leaves them out
// before repeats fold (ViewOptions.terse), so a suite's notice spends its tokens on the failures
// and forty passing tests fold to two lines.

/**
 * node:test's TAP diagnostics and its spec reporter's error fields (tap and tape write the same):
 * the timing, the kind of test and of failure (a failed hook says so, and stays), the assertion's
 * operator and code (the error's own line says it is an assertion), a suite's count of failed
 * subtests (each is reported itself), the `stack:` heading over the frames, the `# Subtest:` line
 * that repeats the next line's name, the plan, and TAP's version line.
 */
const RUNNER_FIELDS =
  /^\s+(?:duration_ms: [\d.]+|type: '(?:test|suite)'|failureType: '(?!hookFailed)\w+'|operator: '?\w+'?,?|generatedMessage: (?:true|false),?|code: 'ERR_(?:ASSERTION|TEST_FAILURE)',?|error: '\d+ subtests? failed'|stack: \|-)$|^\s*# Subtest: |^1\.\.\d+$|^TAP version \d+$/

/** node:test's summary lines that count nothing (TAP `#`, spec `ℹ`), and its timing. */
const EMPTY_COUNTS = /^[#ℹ] (?:(?:suites|cancelled|skipped|todo) 0|duration_ms [\d.]+)$/

/** node's assertion diff, in a TAP block's `error:`. */
const DIFF_HEADER = /^\s+\+ actual - expected\b/

/** A TAP block's `expected:` or `actual:` field; group 1 is its value when on the same line. */
const VALUE_FIELD = /^\s+(?:expected|actual):(?: (.*))?$/

/** A TAP YAML block's fences: `---` opens it, `...` at the same indent closes it. */
const FENCE = /^( +)(---|\.\.\.)$/

/**
 * A line that begins the next test or suite, never context of the failure before it: a passing
 * TAP test, node:test spec's passing test or suite heading, and the `test at` line over each
 * entry of its closing list.
 */
export function isNextTest(line: string): boolean {
  return /^\s*(?:ok \d+\b|[✔▶] )|^test at \S+:\d+:\d+$/.test(line)
}

/**
 * Tells filler as lines come, in order: a YAML block's fences are known by their pairing (inside
 * node's assertion diff, `...` means lines left out and is no fence).
 */
export class FillerFilter {
  /** The indent of the open YAML block's `---`; -1 when none is open. */
  #fenceIndent = -1
  /** The open block's error showed an assertion diff. */
  #hasDiff = false
  /** Within a field of the open block that is left out, with the lines nested under it. */
  #isInField = false

  /** Whether a terse view leaves this line out (unmarked). */
  readonly isFiller = (line: string): boolean => {
    const first = line.charCodeAt(0)
    // Every filler line starts with a space, `#`, `ℹ`, the plan's `1` or TAP's `T`.
    if (first !== 32 && first !== 35 && first !== 0x2139 && first !== 49 && first !== 84) return false
    if (this.#fenceIndent >= 0) {
      const indent = line.length - line.trimStart().length
      if (this.#isInField && indent > this.#fenceIndent) return true
      this.#isInField = false
      if (DIFF_HEADER.test(line)) this.#hasDiff = true
      // The values the diff above showed, again as YAML.
      const field = this.#hasDiff && indent === this.#fenceIndent ? VALUE_FIELD.exec(line) : null
      if (field) {
        this.#isInField = field[1] === undefined
        return true
      }
    }
    const fence = FENCE.exec(line)
    if (fence) {
      const indent = fence[1]!.length
      if (fence[2] === '---') {
        this.#fenceIndent = indent
        this.#hasDiff = false
      } else if (indent === this.#fenceIndent) this.#fenceIndent = -1
      else return false
      return true
    }
    return RUNNER_FIELDS.test(line) || EMPTY_COUNTS.test(line)
  }
}
