/** Longest request line accepted: 16 MiB (issue 5). Longer lines are answered with an error and skipped. */
export const MAX_LINE_BYTES = 16 * 1024 * 1024

export type LineEvent = { kind: 'line'; text: string } | { kind: 'too_long'; bytes: number }

/**
 * Splits a byte stream into lines (`\n`, with a `\r` before it tolerated). A line over the limit
 * is reported once as too long and skipped up to its newline, without keeping it in memory.
 */
export class LineSplitter {
  private parts: Buffer[] = []
  private size = 0
  private skipping = false
  private readonly maxBytes: number

  constructor(maxBytes = MAX_LINE_BYTES) {
    this.maxBytes = maxBytes
  }

  push(chunk: Buffer): LineEvent[] {
    const events: LineEvent[] = []
    let start = 0
    while (start <= chunk.length) {
      const newline = chunk.indexOf(0x0a, start)
      const end = newline < 0 ? chunk.length : newline
      const piece = chunk.subarray(start, end)
      if (!this.skipping) {
        if (this.size + piece.length > this.maxBytes) {
          events.push({ kind: 'too_long', bytes: this.size + piece.length })
          this.parts = []
          this.size = 0
          this.skipping = true
        } else if (piece.length > 0) {
          this.parts.push(piece)
          this.size += piece.length
        }
      }
      if (newline < 0) break
      if (this.skipping) this.skipping = false
      else events.push({ kind: 'line', text: this.take() })
      start = newline + 1
    }
    return events
  }

  /** What is left when the input ends without a final newline. */
  end(): LineEvent[] {
    if (this.skipping || this.size === 0) return []
    return [{ kind: 'line', text: this.take() }]
  }

  private take(): string {
    let text = Buffer.concat(this.parts, this.size).toString('utf8')
    this.parts = []
    this.size = 0
    if (text.endsWith('\r')) text = text.slice(0, -1)
    return text
  }
}

/** Best effort: the `id` of a request line that is not valid JSON, so its error can name it. */
export function salvageId(line: string): string | undefined {
  const found = /"id"\s*:\s*("(?:[^"\\]|\\.){0,200}"|-?\d{1,20})/.exec(line.slice(0, 4096))
  if (!found?.[1]) return undefined
  try {
    const value = JSON.parse(found[1])
    return typeof value === 'string' ? value : String(value)
  } catch {
    return undefined
  }
}
