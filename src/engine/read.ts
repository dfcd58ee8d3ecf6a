import { BgbashError } from '../errors.js'
import { advanceCursor, readCursor } from '../store/cursors.js'
import { checkCount, type LogWindow, readLog } from '../store/output-log.js'
import type { TaskPaths } from '../store/paths.js'
import type { GrepMatch, ReadOptions } from '../types.js'
import { grepLog } from './grep.js'

const DEFAULT_CONTEXT_LINES = 2
const DEFAULT_MAX_MATCHES = 50
/** Default budget of a grep result's text. */
const DEFAULT_GREP_BYTES = 16 * 1024

export type TaskRead = LogWindow & { matches?: GrepMatch[]; truncated?: boolean }

/** Rejects combinations of read options that ask for two different windows. */
function checkOptions(options: ReadOptions): void {
  const windows = (['tailLines', 'headLines', 'grep'] as const).filter((name) => options[name] !== undefined)
  if (windows.length > 1) {
    throw new BgbashError('invalid_request', `Invalid read: ${windows.join(' and ')} cannot be combined.`)
  }
  if (options.fromCursor && (options.offset !== undefined || options.tailLines !== undefined)) {
    throw new BgbashError(
      'invalid_request',
      'Invalid read: fromCursor reads on from the cursor; it cannot be combined with offset or tailLines.',
    )
  }
  if (options.grep !== undefined && !(options.grep instanceof RegExp)) {
    throw new BgbashError('invalid_request', 'Invalid grep: use a RegExp.')
  }
  if (
    options.grep === undefined &&
    (options.contextLines !== undefined || options.maxMatches !== undefined)
  ) {
    throw new BgbashError(
      'invalid_request',
      'Invalid read: contextLines and maxMatches only apply with grep.',
    )
  }
  checkCount('contextLines', options.contextLines, 0)
  checkCount('maxMatches', options.maxMatches, 1)
  checkCount('offset', options.offset, 0)
  checkCount('maxBytes', options.maxBytes, 1)
}

/**
 * One read of a task's output: a window (offset/maxBytes, tail or head lines) or a grep, from
 * an offset or from a reader's cursor, which the read then moves on.
 */
export function readTask(paths: TaskPaths, options: ReadOptions, defaultReader: string): TaskRead {
  checkOptions(options)
  const reader = options.reader ?? defaultReader
  const offset = options.fromCursor ? readCursor(paths, reader) : options.offset
  const result: TaskRead = options.grep
    ? grepLog(paths, options.grep, {
        fromOffset: offset ?? 0,
        contextLines: options.contextLines ?? DEFAULT_CONTEXT_LINES,
        maxMatches: options.maxMatches ?? DEFAULT_MAX_MATCHES,
        budgetBytes: options.maxBytes ?? DEFAULT_GREP_BYTES,
        raw: options.raw === true,
      })
    : readLog(paths, {
        offset,
        maxBytes: options.maxBytes,
        tailLines: options.tailLines,
        headLines: options.headLines,
      })
  if (options.fromCursor) advanceCursor(paths, reader, result.nextOffset)
  return result
}
