import { splitEscapes } from './ansi.js'
import { formatCount } from './count.js'
import { getShapeRunPattern, isSameShape } from './line-shape.js'

/** A run of identical lines shorter than this is left alone. */
const MIN_SAME_RUN = 3
/** A run of similar lines shorter than this is left alone (first and last stay, so 4 saves one). */
const MIN_SIMILAR_RUN = 4
/**
 * A run of similar lines this long gets a pattern of its own to match its next lines natively,
 * many at once. Compiling one costs: 20 MB of 30-line runs, each of a new shape, took 4.9 s with
 * a pattern from the 16th line, 0.6 s with none.
 */
const BULK_AFTER = 64
/** Patterns of recent runs kept per folder: a run of a recent shape takes them from its 4th line. */
const RECENT_PATTERNS = 8
/** Raw text prepared at a time by pushLines (it may stop early, for a run). */
const BATCH_SIZE = 4096
/** The first batch after a run: the next run may start within a few lines, and batches double. */
const FIRST_BATCH_SIZE = 256
/** Decodes as ViewBuilder's stream decoder does: a byte order mark is kept. */
const UTF8 = new TextDecoder('utf-8', { ignoreBOM: true })

/** A fresh copy of a line (a concatenation the slice flattens), not a slice of a whole chunk. */
function copyOf(line: string): string {
  return line.length > 1 << 16 ? line : ` ${line}`.slice(1)
}

/** Marks the folded lines: the first line of a run stays, this line stands for the rest. */
export function isFoldMarker(line: string): boolean {
  return /^… (?:repeated \d[\d,]* times|\d[\d,]* similar lines) …$/.test(line)
}

/**
 * Folds a stream of lines as they come, holding only the current run: runs of identical lines
 * become the line and "… repeated 240 times …"; runs of lines of the same shape become the first,
 * "… 240 similar lines …" and the last. Lines whose shape is blank fold only when identical.
 */
export class RepeatFolder {
  readonly #emit: (line: string) => void
  #isOpen = false
  #first = ''
  #last = ''
  #count = 0
  #allSame = true
  /** The run's lines while it is too short to fold (at most MIN_SIMILAR_RUN - 1). */
  #few: string[] = []
  /** The run's shape as a pattern ({@link getShapeRunPattern}); null when it has none. */
  #pattern: RegExp | null | undefined
  /** The same over raw lines (those a `prepare` of pushLines takes); null when it has none. */
  #rawPattern: RegExp | null | undefined
  /** The run's raw line was tried against the patterns of recent runs. */
  #hasTriedRecent = false
  /** Patterns of recent runs over raw text and over raw bytes, the latest used first. */
  readonly #recentTextPatterns: RegExp[] = []
  readonly #recentBytePatterns: RegExp[] = []
  /** Where the line last pushed by pushLines starts in its raw text. */
  #lastRawStart = 0
  readonly #skip: ((line: string) => boolean) | undefined
  /** Lines `skip` left out, and their bytes (UTF-8, newline included). */
  skippedLines = 0
  skippedBytes = 0

  /**
   * `emit` receives the folded lines in order. Lines `skip` picks are left out as if absent: a run
   * goes on across them.
   */
  constructor(emit: (line: string) => void, skip?: (line: string) => boolean) {
    this.#emit = emit
    this.#skip = skip
  }

  push(line: string): void {
    if (this.#skip?.(line)) {
      this.skippedLines++
      this.skippedBytes += Buffer.byteLength(line) + 1
      return
    }
    // Blank lines fold only when identical.
    const isAlike =
      this.#isOpen && (line === this.#last || (isSameShape(this.#last, line) && /\S/.test(line)))
    if (isAlike) {
      if (this.#allSame && line !== this.#first && this.#count >= MIN_SAME_RUN) {
        // A different line after a long identical run starts a run of its own.
        this.flush()
      } else {
        this.#allSame &&= line === this.#first
        this.#count++
        this.#last = line
        if (this.#few.length < MIN_SIMILAR_RUN) this.#few.push(line)
        return
      }
    } else {
      this.flush()
    }
    this.#isOpen = true
    this.#first = line
    this.#last = line
    this.#count = 1
    this.#allSame = true
    this.#few = [line]
    this.#pattern = undefined
    this.#rawPattern = undefined
    this.#hasTriedRecent = false
  }

  /**
   * Pushes the lines of `raw`, each ending in `\n` (the last one too), as `prepare` makes them
   * (it maps whole lines to as many lines: escapes stripped, redraws collapsed): the same as
   * pushing them one by one, but a long run of similar lines is taken many lines at once, by a
   * native match on the raw lines while they carry the same escapes, else on the prepared ones.
   */
  pushLines(raw: string, prepare: (lines: string) => string = (lines) => lines): void {
    this.#pushRaw(raw, false, (start, end) => raw.slice(start, end), prepare)
  }

  /**
   * {@link pushLines} of the text of `bytes`, UTF-8 decoded as a TextDecoder decodes it (a
   * malformed sequence becomes U+FFFD, a byte order mark stays): whole lines, the last ending in
   * `\n` too. A long run is matched on the bytes themselves, so its lines are never decoded.
   */
  pushLineBytes(bytes: Uint8Array, prepare: (lines: string) => string = (lines) => lines): void {
    const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    const decode = (start: number, end: number) => UTF8.decode(buffer.subarray(start, end))
    this.#pushRaw(buffer.toString('latin1'), true, decode, prepare)
  }

  /**
   * Pushes raw lines: text, or UTF-8 bytes read as latin1 when `isBytes`; `decode` gives the
   * text of a span of them.
   */
  #pushRaw(
    raw: string,
    isBytes: boolean,
    decode: (start: number, end: number) => string,
    prepare: (lines: string) => string,
  ): void {
    const prepareSpan = (start: number, end: number) => prepare(decode(start, end))
    let at = 0
    let isAfterRun = false
    let batchSize = BATCH_SIZE
    // A line pushed by an earlier call is not in `raw`.
    this.#lastRawStart = -1
    while (at < raw.length) {
      if (this.#rawPattern && this.#isBulkRun()) {
        const end = this.#takeRun(raw, at, this.#rawPattern, prepareSpan)
        if (end > at) {
          at = end
          isAfterRun = true
          batchSize = FIRST_BATCH_SIZE
          continue
        }
      }
      // A batch of lines prepared at once; only the next line when a run on raw lines stopped.
      const base = at
      const batchEnd = isAfterRun
        ? raw.indexOf('\n', at) + 1
        : raw.indexOf('\n', Math.min(at + batchSize, raw.length - 1)) + 1
      if (!isAfterRun) batchSize = Math.min(batchSize * 2, BATCH_SIZE)
      const text = prepareSpan(at, batchEnd)
      // Positions in the text are those in the raw lines (for bytes, only if all are ASCII).
      const isPlain = text.length === batchEnd - at && text === raw.slice(at, batchEnd)
      let p = 0
      while (p < text.length) {
        if (this.#isBulkRun()) {
          if (this.#rawPattern === undefined && this.#lastRawStart >= 0) {
            this.#rawPattern = this.#findRawPattern(raw, at, isBytes, decode)
          }
          // Back to raw lines (a batch's first line is pushed whatever: a run on raw lines stopped there).
          if (this.#rawPattern && p > 0) break
          // On prepared lines; not for the one line after a run on raw lines: pushing it asks the same.
          if (!isAfterRun && this.#count >= BULK_AFTER) {
            this.#pattern ??= getShapeRunPattern(this.#last) ?? null
            const end = this.#pattern ? this.#takeRun(text, p, this.#pattern) : p
            if (end > p) {
              if (isPlain) {
                p = end
                at = base + end
              } else {
                for (; p < end; p = text.indexOf('\n', p) + 1) at = raw.indexOf('\n', at) + 1
              }
              continue
            }
          }
        }
        const nl = text.indexOf('\n', p)
        const count = this.#count
        this.push(text.slice(p, nl))
        // The run went on past its raw pattern (other escapes): a new one from this line.
        if (isAfterRun && this.#count > count) {
          this.#rawPattern = undefined
          this.#hasTriedRecent = false
        }
        this.#lastRawStart = at
        p = nl + 1
        at = isPlain ? base + p : raw.indexOf('\n', at) + 1
      }
      isAfterRun = false
    }
  }

  /**
   * Whether the run's next similar lines may be taken in bulk: pushing them would change nothing
   * but its count and last line (its first lines are kept, and it is not one of identical lines).
   */
  #isBulkRun(): boolean {
    return this.#isOpen && !this.#allSame && this.#count >= MIN_SIMILAR_RUN
  }

  /**
   * The run's pattern over raw lines, judged by the raw line last pushed (from #lastRawStart to
   * `end`): a recent run's pattern that matches that line (it then has the run's shape), else a
   * new one once the run is long; null when it has none, undefined to ask again at the next line.
   */
  #findRawPattern(
    raw: string,
    end: number,
    isBytes: boolean,
    decode: (start: number, end: number) => string,
  ): RegExp | null | undefined {
    const recent = isBytes ? this.#recentBytePatterns : this.#recentTextPatterns
    if (!this.#hasTriedRecent) {
      this.#hasTriedRecent = true
      const line = raw.slice(this.#lastRawStart, end)
      for (let i = 0; i < recent.length; i++) {
        const pattern = recent[i]!
        pattern.lastIndex = 0
        if (pattern.test(line) && pattern.lastIndex === line.length) {
          recent.splice(i, 1)
          recent.unshift(pattern)
          return pattern
        }
      }
    }
    if (this.#count < BULK_AFTER) return undefined
    const pattern = this.#makeRawPattern(decode(this.#lastRawStart, end - 1), isBytes)
    if (pattern === undefined) return null
    recent.unshift(pattern)
    if (recent.length > RECENT_PATTERNS) recent.pop()
    return pattern
  }

  /** The run's pattern over raw lines, from the raw line last pushed (its text, unprepared). */
  #makeRawPattern(line: string, isBytes: boolean): RegExp | undefined {
    const split = splitEscapes(line)
    if (split === undefined || split.text !== this.#last) return undefined
    return getShapeRunPattern(split.text, split.escapes, isBytes)
  }

  /** Takes the lines from `at` on that match the run's `pattern`; returns where they end. */
  #takeRun(
    text: string,
    at: number,
    pattern: RegExp,
    prepareSpan?: (start: number, end: number) => string,
  ): number {
    pattern.lastIndex = at
    const end = pattern.test(text) ? pattern.lastIndex : at
    if (end === at) return at
    let lineStart = at
    for (let nl = text.indexOf('\n', at); nl >= 0 && nl < end; nl = text.indexOf('\n', nl + 1)) {
      this.#count++
      if (nl + 1 < end) lineStart = nl + 1
    }
    this.#last = prepareSpan ? prepareSpan(lineStart, end).slice(0, -1) : text.slice(lineStart, end - 1)
    return end
  }

  /** Emits the current run; call at the end of the stream. */
  flush(): void {
    if (!this.#isOpen) return
    if (this.#allSame && this.#count >= MIN_SAME_RUN) {
      this.#emit(copyOf(this.#first))
      this.#emit(`… repeated ${formatCount(this.#count - 1)} times …`)
    } else if (this.#count >= MIN_SIMILAR_RUN) {
      // Copies: lines of a long run come from chunks far apart, and a slice would hold its chunk.
      this.#emit(copyOf(this.#first))
      this.#emit(`… ${formatCount(this.#count - 2)} similar lines …`)
      this.#emit(copyOf(this.#last))
    } else {
      for (const line of this.#few) this.#emit(line)
    }
    this.#isOpen = false
    this.#few = []
  }
}

/**
 * Folds runs of identical lines ("… repeated 240 times …") and of lines of the same shape
 * ("… 240 similar lines …"), keeping the first line of each run (and the last, for similar ones).
 */
export function foldRepeats(lines: readonly string[]): string[] {
  const out: string[] = []
  const folder = new RepeatFolder((line) => out.push(line))
  for (const line of lines) folder.push(line)
  folder.flush()
  return out
}
