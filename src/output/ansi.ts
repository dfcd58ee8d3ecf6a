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
