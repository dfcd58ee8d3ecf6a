import { LOG_SCAN_CHUNK_BYTES, MAX_PENDING_LINE_BYTES } from '../constants.js'
import { cleanText } from '../output/index.js'
import { type LogWindow, readLog } from '../store/output-log.js'
import type { TaskPaths } from '../store/paths.js'
import type { GrepMatch } from '../types.js'

/** Characters of one line shown in a result. */
const SHOWN_LINE_CHARS = 2000

export interface GrepLogOptions {
  fromOffset: number
  contextLines: number
  maxMatches: number
  /** Most bytes of result text; the scan stops before a match that would go past it. */
  budgetBytes: number
  /** Match and show the bytes as written (default: ANSI stripped, redraws collapsed). */
  raw: boolean
}

export interface GrepLogResult extends LogWindow {
  matches: GrepMatch[]
  /** Stopped early: too many matches or the byte budget is spent. */
  truncated: boolean
}

interface Line {
  number: number
  offset: number
  text: string
}

/**
 * Finds the lines of a log that match a pattern, with context lines, like `grep -n -C`: matching
 * lines are `N:line`, context `N-line`, groups apart by `--`. Reads the log in bounded windows from
 * `fromOffset` on, so memory stays at one window whatever the log's size. `nextOffset` is where
 * the scan stopped: the end of the log, or the line it stopped before when it ran out of budget.
 */
export function grepLog(paths: TaskPaths, pattern: RegExp, options: GrepLogOptions): GrepLogResult {
  const regex = new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, ''))
  const out: string[] = []
  const matches: GrepMatch[] = []
  const before: Line[] = []
  let outBytes = 0
  let afterLeft = 0
  let lastShown = 0
  let lineNumber = 0
  let truncated = false
  let stoppedAt = 0
  let pending = Buffer.alloc(0)
  let pendingOffset = options.fromOffset
  let offset = options.fromOffset
  let first: number | undefined
  let window: LogWindow | undefined

  const show = (line: Line, mark: ':' | '-') => {
    if (lastShown > 0 && line.number > lastShown + 1) out.push('--')
    const text = line.text.length > SHOWN_LINE_CHARS ? `${line.text.slice(0, SHOWN_LINE_CHARS)}…` : line.text
    out.push(`${line.number}${mark}${text}`)
    outBytes += Buffer.byteLength(text) + 8
    lastShown = line.number
  }
  /** Handles one complete line; false when the scan should stop. */
  const handle = (bytes: Buffer, at: number): boolean => {
    lineNumber++
    const raw = bytes.toString('utf8')
    const line: Line = { number: lineNumber, offset: at, text: options.raw ? raw : cleanText(raw) }
    if (regex.test(line.text)) {
      if (matches.length >= options.maxMatches || outBytes >= options.budgetBytes) {
        truncated = true
        stoppedAt = at
        return false
      }
      for (const previous of before) if (previous.number > lastShown) show(previous, '-')
      before.length = 0
      show(line, ':')
      matches.push({ lineNumber: line.number, offset: line.offset, line: line.text })
      afterLeft = options.contextLines
    } else if (afterLeft > 0) {
      show(line, '-')
      afterLeft--
    } else {
      before.push(line)
      if (before.length > options.contextLines) before.shift()
    }
    return true
  }

  scan: for (;;) {
    window = readLog(paths, { offset, maxBytes: LOG_SCAN_CHUNK_BYTES })
    first ??= window.offset
    if (window.offset > offset) {
      // The disk cap dropped bytes here: the partial line before the gap is incomplete, start afresh.
      pending = Buffer.alloc(0)
      pendingOffset = window.offset
    }
    const chunk = Buffer.concat([pending, Buffer.from(window.text)])
    let start = 0
    for (let at = chunk.indexOf(0x0a); at >= 0; at = chunk.indexOf(0x0a, start)) {
      if (!handle(chunk.subarray(start, at), pendingOffset + start)) break scan
      start = at + 1
    }
    pending = chunk.subarray(start)
    pendingOffset += start
    if (pending.length > MAX_PENDING_LINE_BYTES || (window.eof && pending.length > 0)) {
      if (!handle(pending, pendingOffset)) break
      pendingOffset += pending.length
      pending = Buffer.alloc(0)
    }
    offset = window.nextOffset
    if (window.eof || window.text === '') break
  }
  const nextOffset = truncated ? stoppedAt : offset
  return {
    text: out.join('\n'),
    offset: first ?? options.fromOffset,
    nextOffset,
    totalBytes: window.totalBytes,
    droppedBytes: window.droppedBytes,
    eof: !truncated && nextOffset >= window.totalBytes,
    matches,
    truncated,
  }
}
