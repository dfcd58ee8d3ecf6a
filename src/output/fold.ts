import { type PlacedEscape, splitEscapes } from './ansi.js'
import { formatCount } from './count.js'

/** A run of identical lines shorter than this is left alone. */
const MIN_SAME_RUN = 3
/** A run of similar lines shorter than this is left alone (first and last stay, so 4 saves one). */
const MIN_SIMILAR_RUN = 4

/** The shape of a line: digits, hex ids and times replaced, so "row 17" and "row 18" are alike. */
export function getLineShape(line: string): string {
  return line
    .replace(/\b(?=[0-9a-f]*\d)[0-9a-f]{7,}\b/gi, '#')
    .replace(/\d+(?:[.:]\d+)*/g, '#')
    .trim()
}

const isDigit = (c: number) => c >= 48 && c <= 57
const isHex = (c: number) => isDigit(c) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70)
const isWord = (c: number) => isHex(c) || (c >= 71 && c <= 90) || (c >= 103 && c <= 122) || c === 95
const isSpace = (c: number) => c === 32 || c === 9 || c === 11 || c === 12 || c === 13 || c === 160

/** Where a hex id (a word of 7+ hex digits, one a digit at least) starting at `i` ends, or -1. */
function endOfHexId(line: string, i: number): number {
  if (i > 0 && isWord(line.charCodeAt(i - 1))) return -1
  let j = i
  let hasDigit = false
  for (; j < line.length && isHex(line.charCodeAt(j)); j++) {
    if (isDigit(line.charCodeAt(j))) hasDigit = true
  }
  return j - i >= 7 && hasDigit && (j === line.length || !isWord(line.charCodeAt(j))) ? j : -1
}

/** Where the number (`12`, `3.14`, `12:30:45`) starting at `i` ends. */
function endOfNumber(line: string, i: number): number {
  let j = i
  for (;;) {
    while (j < line.length && isDigit(line.charCodeAt(j))) j++
    const c = line.charCodeAt(j)
    if ((c === 46 || c === 58) && isDigit(line.charCodeAt(j + 1))) j++
    else return j
  }
}

/**
 * Whether two lines have the same shape ({@link getLineShape}), compared in place: folding asks
 * this of every line of a 100 MB log, so it allocates nothing.
 */
export function isSameShape(a: string, b: string): boolean {
  let i = 0
  let j = 0
  let endA = a.length
  let endB = b.length
  while (i < endA && isSpace(a.charCodeAt(i))) i++
  while (j < endB && isSpace(b.charCodeAt(j))) j++
  while (endA > i && isSpace(a.charCodeAt(endA - 1))) endA--
  while (endB > j && isSpace(b.charCodeAt(endB - 1))) endB--
  // Lines of different shapes mostly differ at one end: reject those without a full scan.
  const lastA = a.charCodeAt(endA - 1)
  const lastB = b.charCodeAt(endB - 1)
  if (lastA !== lastB && !(isHex(lastA) && isHex(lastB))) return false
  while (i < endA && j < endB) {
    const ca = a.charCodeAt(i)
    const cb = b.charCodeAt(j)
    // Fast path: the same character, neither a digit nor the start of a word that may be an id.
    if (ca === cb && !isDigit(ca) && (!isHex(ca) || (i > 0 && isWord(a.charCodeAt(i - 1))))) {
      i++
      j++
      continue
    }
    if (isHex(ca) && isHex(cb)) {
      const hexA = endOfHexId(a, i)
      const hexB = endOfHexId(b, j)
      if (hexA >= 0 || hexB >= 0) {
        // An id on one side matches an id or a number on the other.
        const nextA = hexA >= 0 ? hexA : isDigit(ca) ? endOfNumber(a, i) : -1
        const nextB = hexB >= 0 ? hexB : isDigit(cb) ? endOfNumber(b, j) : -1
        if (nextA < 0 || nextB < 0) return false
        i = Math.min(nextA, endA)
        j = Math.min(nextB, endB)
        continue
      }
    }
    if (isDigit(ca) || isDigit(cb)) {
      if (!isDigit(ca) || !isDigit(cb)) return false
      i = Math.min(endOfNumber(a, i), endA)
      j = Math.min(endOfNumber(b, j), endB)
      continue
    }
    if (ca !== cb) return false
    i++
    j++
  }
  return i >= endA && j >= endB
}

/**
 * Trimmed from both ends of a line before its shape is compared ({@link isSameShape}); not \r, as
 * none is left in a line once redraws are collapsed, and in a raw line it is a redraw.
 */
const SPACES = String.raw`[ \t\v\f\u00a0]*`
/** The same over UTF-8 bytes read as latin1 (a no-break space is two bytes there). */
const BYTE_SPACES = String.raw`(?:[ \t\v\f]|\u00c2\u00a0)*`
/** A hex id, tried at a word start (no look-behind needed: a pattern tries it only there). */
const ID = String.raw`(?=[0-9a-fA-F]*\d)[0-9a-fA-F]{7,}(?![0-9A-Za-z_])`
const NUMBER = String.raw`\d+(?:[.:]\d+)*`
const SHAPE_CACHE_SIZE = 64
/** Most lines one match of a run pattern takes (its backtracking stack grows with them). */
const RUN_STEP = 1024
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
const shapePatterns = new Map<string, RegExp>()
/** Decodes as ViewBuilder's stream decoder does: a byte order mark is kept. */
const UTF8 = new TextDecoder('utf-8', { ignoreBOM: true })

const escapeUnit = (c: number) => `\\u${c.toString(16).padStart(4, '0')}`

/** The UTF-8 bytes of a code point, each as a pattern unit (the pattern reads bytes as latin1). */
function escapeBytes(codePoint: number): string {
  if (codePoint < 0x80) return escapeUnit(codePoint)
  let out = ''
  for (const byte of Buffer.from(String.fromCodePoint(codePoint))) out += escapeUnit(byte)
  return out
}

/**
 * A sticky pattern matching, from the start of a line, a run of lines that end in `\n` and have
 * the shape of `line` (what {@link isSameShape} compares): one native match takes a long run of
 * similar lines at once. Undefined when the line is blank or too long to be worth it.
 *
 * With `escapes` (the escape sequences a raw line had, each a CSI sequence, at their places in
 * `line`), the pattern matches raw lines instead: lines holding the same sequences at the same
 * places, whose stripped text has the shape of `line`. Undefined then too when a sequence sits
 * where it could change a token (next to a word character, inside the white space at either end).
 *
 * With `isBytes`, the pattern matches the UTF-8 bytes of such lines read as latin1 (one character a
 * byte): every character outside ASCII is its bytes there, so a match is valid UTF-8 and decodes
 * to lines the text pattern would match.
 */
export function getShapeRunPattern(
  line: string,
  escapes: readonly PlacedEscape[] = [],
  isBytes = false,
): RegExp | undefined {
  let start = 0
  let end = line.length
  while (start < end && isSpace(line.charCodeAt(start))) start++
  while (end > start && isSpace(line.charCodeAt(end - 1))) end--
  if (start === end || end - start > 4096) return undefined
  for (const { at } of escapes) {
    if (at < start || at > end) return undefined
    if (at > start && isWord(line.charCodeAt(at - 1))) return undefined
    if (at < end && isWord(line.charCodeAt(at))) return undefined
  }
  // Escape sequences are ASCII but for the one-byte C1 CSI.
  const literal = (text: string): string => {
    let out = ''
    for (let k = 0; k < text.length; k++) {
      out += isBytes ? escapeBytes(text.charCodeAt(k)) : escapeUnit(text.charCodeAt(k))
    }
    return out
  }
  let source = ''
  let groups = 0
  let nextEscape = 0
  // Matching from the start of a line, the character before each item is the one the line had
  // (or a space, or the line break): a word starts where it started in `line`.
  for (let i = start; i < end; ) {
    while (nextEscape < escapes.length && escapes[nextEscape]!.at === i) {
      source += literal(escapes[nextEscape++]!.text)
    }
    const c = line.charCodeAt(i)
    const isWordStart = i === 0 || !isWord(line.charCodeAt(i - 1))
    const hexEnd = isHex(c) && isWordStart ? endOfHexId(line, i) : -1
    if (hexEnd >= 0 || isDigit(c)) {
      // The token isSameShape takes here: an id only at a word start, else a number.
      i = hexEnd >= 0 ? hexEnd : endOfNumber(line, i)
      const next = line.charCodeAt(i)
      // What follows the token stops any shorter match: neither a word character, `.` nor `:`.
      const isClosed = i === end || !(isWord(next) || next === 46 || next === 58)
      const whole = () => `(?=(${isWordStart ? `${ID}|${NUMBER}` : NUMBER}))\\${++groups}`
      if (!isClosed) {
        // Taken whole (atomic, by a lookahead and a back-reference): an id may be cut short by a
        // longer number, a number by a shorter one.
        source += whole()
      } else if (!isWordStart) {
        source += `(?:${NUMBER})`
      } else {
        // Cheap forms first. Digits alone: an id (7 or more) or a number, the same span either
        // way. Up to 6 digits then a fraction: no id starts there, a number. Else the token whole.
        source += String.raw`(?:\d+|\d{1,6}(?:[.:]\d+)+|${whole()})`
      }
      continue
    }
    // A hex letter starting a word is a letter only where no id starts.
    if (isHex(c) && isWordStart) source += `(?!${ID})`
    if (isWord(c)) {
      source += line[i]
      i++
    } else if (isBytes && c >= 0xd800 && c < 0xe000) {
      // A surrogate pair is one character of four bytes; a lone one never comes from bytes.
      const pair = line.codePointAt(i)!
      if (pair < 0x10000) return undefined
      source += escapeBytes(pair)
      i += 2
    } else {
      source += isBytes ? escapeBytes(c) : escapeUnit(c)
      i++
    }
  }
  while (nextEscape < escapes.length) source += literal(escapes[nextEscape++]!.text)
  // A line of white space only would need /\S/ tested on each line: leave those to isSameShape.
  if (!/\S/.test(line)) return undefined
  const spaces = isBytes ? BYTE_SPACES : SPACES
  source = `(?:${spaces}${source}${spaces}\\n){0,${RUN_STEP}}`
  let pattern = shapePatterns.get(source)
  if (pattern === undefined) {
    if (shapePatterns.size >= SHAPE_CACHE_SIZE) shapePatterns.clear()
    pattern = new RegExp(source, 'y')
    shapePatterns.set(source, pattern)
  }
  return pattern
}

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

  /** `emit` receives the folded lines in order. */
  constructor(emit: (line: string) => void) {
    this.#emit = emit
  }

  push(line: string): void {
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
