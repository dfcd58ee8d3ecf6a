import { stripAnsi } from '../output/ansi.js'
import { type LogLine, LogLineReader } from '../store/log-lines.js'
import type { TaskPaths } from '../store/paths.js'

/** Lines of context kept before a match, and shown after it as far as they are read. */
const CONTEXT_LINES = 3

export interface LogMatch {
  /** The text the pattern matched. */
  text: string
  /** The whole line it matched in. */
  line: string
  /** Absolute byte offset of the start of that line in the task's output. */
  offset: number
  /** Absolute byte offset of the match itself, counted in the bytes as written. */
  matchOffset: number
  /** A few lines around the match (before it, the line, and what follows so far). */
  context: string
}

/**
 * Scans a task's log for a pattern, incrementally: each call reads only what was written since
 * the last, line by line (the shared line reader), so a match split across two writes is still
 * found and its offset is a byte offset of the log.
 */
export class LogScanner {
  private readonly lines: LogLineReader
  private readonly before: string[] = []
  private readonly pattern: RegExp

  constructor(paths: TaskPaths, pattern: RegExp, fromOffset = 0) {
    this.pattern = new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, ''))
    this.lines = new LogLineReader(paths, fromOffset)
  }

  /**
   * Reads what is new; returns the first match, if any. The next call goes on after that match.
   * `isFinal` also tests an unfinished last line.
   */
  scan(isFinal = false): LogMatch | undefined {
    for (let next = this.lines.next(isFinal); next; next = this.lines.next(isFinal)) {
      const match = this.test(next)
      if (match) return match
    }
    return undefined
  }

  private test(next: LogLine): LogMatch | undefined {
    // Colours must not hide a match: `\x1b[32mready\x1b[39m in 300 ms` is tested as `ready in 300 ms`.
    const line = stripAnsi(next.text)
    const found = this.pattern.exec(line)
    if (!found) {
      this.before.push(line)
      if (this.before.length > CONTEXT_LINES) this.before.shift()
      return undefined
    }
    const following = this.lines.peek(CONTEXT_LINES).map(stripAnsi).join('\n')
    const context = [...this.before, line, following].filter((part) => part !== '').join('\n')
    const matchOffset = next.offset + findMatchByte(next.bytes, line, found.index, found[0])
    return { text: found[0], line, offset: next.offset, matchOffset, context }
  }
}

/**
 * Where in a line's bytes as written a match found in its decoded (and colour-stripped) text
 * starts. Decoding turns each byte that is not UTF-8 into U+FFFD (three bytes) and stripping drops
 * escape codes, so the text's index is no byte count: the match is the same occurrence of the
 * matched text in the bytes as in the text. A match that holds U+FFFD itself has no bytes to look
 * for; then the text before it is counted as UTF-8.
 */
export function findMatchByte(bytes: Buffer, text: string, index: number, matched: string): number {
  const fallback = Buffer.byteLength(text.slice(0, index))
  if (matched === '' || matched.includes('\uFFFD')) return fallback
  let occurrence = 0
  for (let at = text.indexOf(matched); at >= 0 && at < index; at = text.indexOf(matched, at + 1)) occurrence++
  const needle = Buffer.from(matched)
  let byte = bytes.indexOf(needle)
  for (let i = 0; i < occurrence && byte >= 0; i++) byte = bytes.indexOf(needle, byte + 1)
  return byte >= 0 ? byte : fallback
}
