import { cleanText } from '../output/index.js'
import { LogLineReader } from '../store/log-lines.js'
import type { LogWindow } from '../store/output-log.js'
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
 * lines are `N:line`, context `N-line`, groups apart by `--`. Reads the log line by line from
 * `fromOffset` on (the shared line reader), so memory stays at one read whatever the log's size.
 * `nextOffset` is where the scan stopped: the end of the log, or the byte offset of the matching
 * line it stopped before when it ran out of matches or budget.
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
  let stoppedAt: number | undefined

  const show = (line: Line, mark: ':' | '-') => {
    if (lastShown > 0 && line.number > lastShown + 1) out.push('--')
    const text = line.text.length > SHOWN_LINE_CHARS ? `${line.text.slice(0, SHOWN_LINE_CHARS)}…` : line.text
    out.push(`${line.number}${mark}${text}`)
    outBytes += Buffer.byteLength(text) + 8
    lastShown = line.number
  }

  const lines = new LogLineReader(paths, options.fromOffset)
  // The scan reads to the end of what is written: an unfinished last line is a line too.
  for (let next = lines.next(true); next; next = lines.next(true)) {
    lineNumber++
    const line: Line = {
      number: lineNumber,
      offset: next.offset,
      text: options.raw ? next.text : cleanText(next.text),
    }
    if (regex.test(line.text)) {
      if (matches.length >= options.maxMatches || outBytes >= options.budgetBytes) {
        stoppedAt = line.offset
        break
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
  }
  const truncated = stoppedAt !== undefined
  const nextOffset = stoppedAt ?? lines.offset
  return {
    text: out.join('\n'),
    offset: lines.startOffset,
    nextOffset,
    totalBytes: lines.totalBytes,
    droppedBytes: lines.droppedBytes,
    eof: !truncated && nextOffset >= lines.totalBytes,
    matches,
    truncated,
  }
}
