/**
 * Collapses carriage-return redraws to what a terminal would finally show on each line: a
 * progress bar redrawn 500 times becomes its last state. `\r\n` stays a plain newline, and a
 * backspace erases the character before it.
 */
export function collapseRedraws(text: string): string {
  if (!text.includes('\r') && !text.includes('\b')) return text
  return text
    .split('\n')
    .map((line) => {
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
    })
    .join('\n')
}
