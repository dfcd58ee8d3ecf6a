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

/** Trimmed from both ends of a line before its shape is compared ({@link isSameShape}). */
const SPACES = String.raw`[ \t\v\f\r\u00a0]*`
/** A hex id, tried at a word start (no look-behind needed: a pattern tries it only there). */
const ID = String.raw`(?=[0-9a-fA-F]*\d)[0-9a-fA-F]{7,}(?![0-9A-Za-z_])`
const NUMBER = String.raw`\d+(?:[.:]\d+)*`
const SHAPE_CACHE_SIZE = 64
/** Most lines one match of a run pattern takes (its backtracking stack grows with them). */
const RUN_STEP = 1024
/** A run of similar lines this long starts matching its next lines natively, many at once. */
const BULK_AFTER = 16
const shapePatterns = new Map<string, RegExp>()

/**
 * A sticky pattern matching, from the start of a line, a run of lines that end in `\n` and have
 * the shape of `line` (what {@link isSameShape} compares): one native match takes a long run of
 * similar lines at once. Undefined when the line is blank or too long to be worth it.
 */
export function getShapeRunPattern(line: string): RegExp | undefined {
  let start = 0
  let end = line.length
  while (start < end && isSpace(line.charCodeAt(start))) start++
  while (end > start && isSpace(line.charCodeAt(end - 1))) end--
  if (start === end || end - start > 4096) return undefined
  let source = ''
  let groups = 0
  let hasSolid = false
  // Matching from the start of a line, the character before each item is the one the line had
  // (or a space, or the line break): a word starts where it started in `line`.
  for (let i = start; i < end; ) {
    const c = line.charCodeAt(i)
    const isWordStart = i === 0 || !isWord(line.charCodeAt(i - 1))
    const hexEnd = isHex(c) && isWordStart ? endOfHexId(line, i) : -1
    if (hexEnd >= 0 || isDigit(c)) {
      // The token isSameShape takes here: an id only at a word start, else a number.
      i = hexEnd >= 0 ? hexEnd : endOfNumber(line, i)
      const token = isWordStart ? `${ID}|${NUMBER}` : NUMBER
      // Taken whole (atomic, by a lookahead and a back-reference), unless no other match could go
      // on: a number alone, before neither a word character, `.` nor `:` (a shorter number stops
      // before one; an id, by contrast, may be cut short by a longer number).
      const next = line.charCodeAt(i)
      source +=
        isWordStart || (i < end && (isWord(next) || next === 46 || next === 58))
          ? `(?=(${token}))\\${++groups}`
          : `(?:${token})`
      hasSolid = true
      continue
    }
    // A hex letter starting a word is a letter only where no id starts.
    if (isHex(c) && isWordStart) source += `(?!${ID})`
    source += isWord(c) ? line[i] : `\\u${c.toString(16).padStart(4, '0')}`
    if (!/\s/.test(line[i]!)) hasSolid = true
    i++
  }
  // A line of white space only would need /\S/ tested on each line: leave those to isSameShape.
  if (!hasSolid) return undefined
  source = `(?:${SPACES}${source}${SPACES}\\n){0,${RUN_STEP}}`
  let pattern = shapePatterns.get(source)
  if (pattern === undefined) {
    if (shapePatterns.size >= SHAPE_CACHE_SIZE) shapePatterns.clear()
    pattern = new RegExp(source, 'y')
    shapePatterns.set(source, pattern)
  }
  return pattern
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
  }

  /**
   * Pushes the lines of `text`, each ending in `\n` (the last one too): the same as pushing them
   * one by one, but a long run of similar lines is taken many lines at once.
   */
  pushLines(text: string): void {
    let at = 0
    while (at < text.length) {
      if (this.#isOpen && !this.#allSame && this.#count >= BULK_AFTER) {
        // The run's pattern, made once the run is long: a line matches it when isSameShape would say so.
        if (this.#pattern === undefined) this.#pattern = getShapeRunPattern(this.#last) ?? null
        if (this.#pattern !== null) {
          this.#pattern.lastIndex = at
          const end = this.#pattern.test(text) ? this.#pattern.lastIndex : at
          if (end > at) {
            let lineStart = at
            let count = 0
            for (let nl = text.indexOf('\n', at); nl >= 0 && nl < end; nl = text.indexOf('\n', nl + 1)) {
              count++
              if (nl + 1 < end) lineStart = nl + 1
            }
            this.#count += count
            this.#last = text.slice(lineStart, end - 1)
            at = end
            continue
          }
        }
      }
      const nl = text.indexOf('\n', at)
      this.push(text.slice(at, nl))
      at = nl + 1
    }
  }

  /** Emits the current run; call at the end of the stream. */
  flush(): void {
    if (!this.#isOpen) return
    if (this.#allSame && this.#count >= MIN_SAME_RUN) {
      this.#emit(this.#first)
      this.#emit(`… repeated ${(this.#count - 1).toLocaleString('en-US')} times …`)
    } else if (this.#count >= MIN_SIMILAR_RUN) {
      this.#emit(this.#first)
      this.#emit(`… ${(this.#count - 2).toLocaleString('en-US')} similar lines …`)
      this.#emit(this.#last)
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
