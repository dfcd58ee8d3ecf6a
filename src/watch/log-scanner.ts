import { LOG_SCAN_CHUNK_BYTES, MAX_PENDING_LINE_BYTES } from '../constants.js'
import { stripAnsi } from '../output/ansi.js'
import { readLog } from '../store/output-log.js'
import type { TaskPaths } from '../store/paths.js'

/** Lines of context kept before a match. */
const CONTEXT_LINES = 3

export interface LogMatch {
  /** The text the pattern matched. */
  text: string
  /** The whole line it matched in. */
  line: string
  /** Absolute offset of the start of that line in the task's output. */
  offset: number
  /** A few lines around the match (before it, the line, and what follows so far). */
  context: string
}

/**
 * Scans a task's log for a pattern, incrementally: each call reads only what was written since
 * the last, line by line, so a match split across two writes is still found.
 */
export class LogScanner {
  private offset: number
  private pending = ''
  private pendingOffset: number
  private readonly before: string[] = []
  private readonly paths: TaskPaths
  private readonly pattern: RegExp

  constructor(paths: TaskPaths, pattern: RegExp, fromOffset = 0) {
    this.paths = paths
    this.pattern = new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, ''))
    this.offset = fromOffset
    this.pendingOffset = fromOffset
  }

  /**
   * Reads what is new; returns the first match, if any. The next call goes on after that match.
   * `isFinal` also tests an unfinished last line.
   */
  scan(isFinal = false): LogMatch | undefined {
    if (this.pending.includes('\n')) {
      const match = this.consume('', false)
      if (match) return match
    }
    for (;;) {
      const window = readLog(this.paths, { offset: this.offset, maxBytes: LOG_SCAN_CHUNK_BYTES })
      if (window.offset > this.offset) {
        // The disk cap dropped what we had not read yet: start again at what is left.
        this.pending = ''
        this.pendingOffset = window.offset
      }
      this.offset = window.nextOffset
      const match = this.consume(window.text, window.eof && isFinal)
      if (match || window.eof || window.text === '') return match
    }
  }

  private consume(text: string, isFinal: boolean): LogMatch | undefined {
    let data = this.pending + text
    let lineStart = this.pendingOffset
    for (;;) {
      const newline = data.indexOf('\n')
      if (newline < 0) break
      const line = data.slice(0, newline)
      const match = this.test(line, lineStart, data.slice(newline + 1))
      lineStart += Buffer.byteLength(line) + 1
      data = data.slice(newline + 1)
      if (match) {
        // The next scan goes on after this line.
        this.pending = data
        this.pendingOffset = lineStart
        return match
      }
    }
    if (isFinal || Buffer.byteLength(data) > MAX_PENDING_LINE_BYTES) {
      // A prompt without a newline, or an endless line: test what there is.
      const match = data ? this.test(data, lineStart, '') : undefined
      if (match || Buffer.byteLength(data) > MAX_PENDING_LINE_BYTES) {
        this.pending = ''
        this.pendingOffset = lineStart + Buffer.byteLength(data)
        return match
      }
    }
    this.pending = data
    this.pendingOffset = lineStart
    return undefined
  }

  private test(rawLine: string, offset: number, after: string): LogMatch | undefined {
    // Colours must not hide a match: `\x1b[32mready\x1b[39m in 300 ms` is tested as `ready in 300 ms`.
    const line = stripAnsi(rawLine)
    const found = this.pattern.exec(line)
    if (!found) {
      this.before.push(line)
      if (this.before.length > CONTEXT_LINES) this.before.shift()
      return undefined
    }
    const following = stripAnsi(after).split('\n').slice(0, CONTEXT_LINES).join('\n')
    const context = [...this.before, line, following].filter((part) => part !== '').join('\n')
    return { text: found[0], line, offset, context }
  }
}
