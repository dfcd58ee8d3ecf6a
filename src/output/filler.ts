// Lines that say how a test runner ran rather than what it found: a terse view leaves them out
// before repeats fold (ViewOptions.terse), so a suite's notice spends its tokens on the failures
// and forty passing tests fold to two lines.
import { isDiffHeader } from './important.js'

/**
 * node:test's TAP diagnostics and its spec reporter's error fields (tap and tape write the same):
 * the timing, the kind of test and of failure (a failed hook says so, and stays), the assertion's
 * operator and code (the error's own line says it is an assertion), a suite's count of failed
 * subtests (each is reported itself), the `stack:` heading over the frames, the `# Subtest:` line
 * that repeats the next line's name, the plan, and TAP's version line.
 */
const RUNNER_FIELDS =
  /^\s+(?:duration_ms: [\d.]+|type: '(?:test|suite)'|failureType: '(?!hookFailed)\w+'|operator: '?\w+'?,?|generatedMessage: (?:true|false),?|code: 'ERR_(?:ASSERTION|TEST_FAILURE)',?|error: '\d+ subtests? failed'|stack: \|-)$/

/** Lines of the TAP stream itself: the `# Subtest:` line, plans (nested ones too), the version. */
const TAP_LINES = /^\s*# Subtest: |^\s*1\.\.\d+$|^TAP version \d+$|^\s+'\d+ subtests? failed'$/

/** The line under which V8 prints an error's own fields, and the brace that closes them. */
const ERROR_FIELDS_OPEN = /^\s+at .*\{$/
const ERROR_FIELDS_CLOSE = /^\s*\}$/

/** node:test's summary lines that count nothing (TAP `#`, spec `ℹ`), and its timing. */
const EMPTY_COUNTS = /^[#ℹ] (?:(?:suites|cancelled|skipped|todo) 0|duration_ms [\d.]+)$/

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
  /** The indent of the open block's fields (its first line's); -1 until that line comes. */
  #fieldIndent = -1
  /** Between V8's `at … {` and `}`: an error's own fields. */
  #isInErrorFields = false

  /** Whether a terse view leaves this line out (unmarked). */
  readonly isFiller = (line: string): boolean => {
    if (this.#isInErrorFields && ERROR_FIELDS_CLOSE.test(line)) {
      this.#isInErrorFields = false
      return false
    }
    const first = line.charCodeAt(0)
    // Every filler line starts with a space, `#`, `ℹ`, the plan's `1` or TAP's `T`.
    if (first !== 32 && first !== 35 && first !== 0x2139 && first !== 49 && first !== 84) return false
    if (ERROR_FIELDS_OPEN.test(line)) {
      this.#isInErrorFields = true
      return false
    }
    const indent = line.length - line.trimStart().length
    if (this.#fenceIndent >= 0) {
      if (this.#fieldIndent < 0) this.#fieldIndent = indent
      if (this.#isInField && indent > this.#fieldIndent) return true
      this.#isInField = false
      if (isDiffHeader(line)) this.#hasDiff = true
      // The values the diff above showed, again as YAML (a `|-` value runs on below).
      const field = this.#hasDiff && indent === this.#fieldIndent ? VALUE_FIELD.exec(line) : null
      if (field) {
        this.#isInField = field[1] === undefined || /^[|>][-+\d]*$/.test(field[1])
        return true
      }
    }
    const fence = FENCE.exec(line)
    if (fence) {
      // A block opens when none is open; an error message's own `---` or `...` stays.
      if (fence[2] === '---' && this.#fenceIndent < 0) {
        this.#fenceIndent = indent
        this.#fieldIndent = -1
        this.#hasDiff = false
        return true
      }
      if (fence[2] === '...' && indent === this.#fenceIndent) {
        this.#fenceIndent = -1
        return true
      }
      return false
    }
    // A runner's field only where fields are: at a block's field indent, or among an error's own.
    const isAtField = (this.#fenceIndent >= 0 && indent === this.#fieldIndent) || this.#isInErrorFields
    return (isAtField && RUNNER_FIELDS.test(line)) || TAP_LINES.test(line) || EMPTY_COUNTS.test(line)
  }
}
