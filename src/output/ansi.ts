/**
 * CSI (ESC [ … final byte), OSC (ESC ] … BEL or ESC \), DCS/SOS/PM/APC strings, other two-byte
 * escapes, and the one-byte C1 CSI. Built from a string: a regex literal full of control
 * characters is hard to read. `body` is what a string sequence may hold.
 */
function ansiPattern(body: string): RegExp {
  return new RegExp(
    [
      String.raw`\u001b\[[0-?]*[ -/]*[@-~]`,
      String.raw`\u001b\][^\u0007\u001b${body}]*(?:\u0007|\u001b\\)`,
      String.raw`\u001b[PX^_][^\u001b${body}]*\u001b\\`,
      String.raw`\u001b[@-Z\\-_]`,
      String.raw`\u009b[0-?]*[ -/]*[@-~]`,
    ].join('|'),
    'g',
  )
}

const ANSI_PATTERN = ansiPattern('')
/** The same, but no sequence spans a line break: stripping many lines at once strips each alone. */
const ANSI_LINES_PATTERN = ansiPattern(String.raw`\n`)

/** Removes terminal escape sequences (colours, cursor moves, titles, hyperlinks). */
export function stripAnsi(text: string): string {
  return text.includes('\u001b') || text.includes('\u009b') ? text.replace(ANSI_PATTERN, '') : text
}

/** {@link stripAnsi} of each line of `text`, in one pass: the same as stripping line by line. */
export function stripAnsiLines(text: string): string {
  return text.includes('\u001b') || text.includes('\u009b') ? text.replace(ANSI_LINES_PATTERN, '') : text
}

/** A colour or cursor sequence (CSI), as {@link stripAnsi} takes it. */
// biome-ignore lint/complexity/useRegexLiterals: as a literal it trips noControlCharactersInRegex
const CSI = new RegExp(String.raw`\u001b\[[0-?]*[ -/]*[@-~]|\u009b[0-?]*[ -/]*[@-~]`, 'y')
// biome-ignore lint/complexity/useRegexLiterals: as a literal it trips noControlCharactersInRegex
const ESCAPE_START = new RegExp(String.raw`[\u001b\u009b]`, 'g')

/** An escape sequence of a line, at its place in the stripped line. */
export interface PlacedEscape {
  at: number
  text: string
}

/**
 * A line split into its text ({@link stripAnsi} of it) and its escape sequences, when every escape
 * in it is a CSI sequence; otherwise undefined.
 */
export function splitEscapes(line: string): { text: string; escapes: PlacedEscape[] } | undefined {
  const escapes: PlacedEscape[] = []
  let text = ''
  let done = 0
  ESCAPE_START.lastIndex = 0
  for (let found = ESCAPE_START.exec(line); found !== null; found = ESCAPE_START.exec(line)) {
    CSI.lastIndex = found.index
    if (!CSI.test(line)) return undefined
    text += line.slice(done, found.index)
    escapes.push({ at: text.length, text: line.slice(found.index, CSI.lastIndex) })
    done = CSI.lastIndex
    ESCAPE_START.lastIndex = done
  }
  return { text: text + line.slice(done), escapes }
}
