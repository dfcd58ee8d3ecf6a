// Line shapes: what a line looks like with its numbers and ids taken out, and a pattern that
// matches a run of lines of one shape. The folder (fold.ts) folds runs by them.
import type { PlacedEscape } from './ansi.js'

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
const shapePatterns = new Map<string, RegExp>()

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
