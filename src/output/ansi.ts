/**
 * CSI (ESC [ … final byte), OSC (ESC ] … BEL or ESC \), DCS/SOS/PM/APC strings, other two-byte
 * escapes, and the one-byte C1 CSI. Built from a string: a regex literal full of control
 * characters is hard to read.
 */
const ANSI_PATTERN = new RegExp(
  [
    String.raw`\u001b\[[0-?]*[ -/]*[@-~]`,
    String.raw`\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)`,
    String.raw`\u001b[PX^_][^\u001b]*\u001b\\`,
    String.raw`\u001b[@-Z\\-_]`,
    String.raw`\u009b[0-?]*[ -/]*[@-~]`,
  ].join('|'),
  'g',
)

/** Removes terminal escape sequences (colours, cursor moves, titles, hyperlinks). */
export function stripAnsi(text: string): string {
  return text.includes('\u001b') || text.includes('\u009b') ? text.replace(ANSI_PATTERN, '') : text
}
