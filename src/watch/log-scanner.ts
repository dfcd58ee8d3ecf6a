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
    return { text: found[0], line, offset: next.offset, context }
  }
}
