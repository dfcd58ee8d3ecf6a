/**
 * Collapses carriage-return redraws to what a terminal would finally show on each line: a
 * progress bar redrawn 500 times becomes its last state. `\r\n` stays a plain newline, and a
 * backspace erases the character before it.
 */
export function collapseRedraws(text: string): string {
  if (!text.includes('\r') && !text.includes('\b')) return text
  return text.split('\n').map(collapseLine).join('\n')
}

function collapseLine(line: string): string {
  let current = line.endsWith('\r') ? line.slice(0, -1) : line
  if (current.includes('\r')) {
    const parts = current.split('\r')
    // Later writes overwrite earlier ones from the start of the line.
    let shown = ''
    for (const part of parts) shown = part + shown.slice(part.length)
    current = shown
  }
  if (current.includes('\b')) {
    const out: string[] = []
    for (const ch of current) {
      if (ch === '\b') out.pop()
      else out.push(ch)
    }
    current = out.join('')
  }
  return current
}

/**
 * {@link collapseRedraws} for text of many lines where few hold a `\r` or `\b`: only those lines
 * are split and rebuilt.
 */
export function collapseRedrawLines(text: string): string {
  let cr = text.indexOf('\r')
  let bs = text.indexOf('\b')
  if (cr < 0 && bs < 0) return text
  let out = ''
  let done = 0
  while (cr >= 0 || bs >= 0) {
    const at = cr < 0 ? bs : bs < 0 ? cr : Math.min(cr, bs)
    const start = text.lastIndexOf('\n', at) + 1
    let end = text.indexOf('\n', at)
    if (end < 0) end = text.length
    out += text.slice(done, start) + collapseLine(text.slice(start, end))
    done = end
    if (cr >= 0 && cr < end) cr = text.indexOf('\r', end)
    if (bs >= 0 && bs < end) bs = text.indexOf('\b', end)
  }
  return out + text.slice(done)
}
