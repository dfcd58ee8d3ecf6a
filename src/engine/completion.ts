import { LOG_SCAN_CHUNK_BYTES } from '../constants.js'
import {
  COMPLETION_FAILURE_BYTES,
  COMPLETION_SUCCESS_BYTES,
  type OutputView,
  ViewBuilder,
} from '../output/index.js'
import { readLogBytes } from '../store/output-log.js'
import type { TaskPaths } from '../store/paths.js'
import type { Completion, TaskRecord } from '../types.js'

/** A successful task's view is its end (summaries come last): only this much of the end is read. */
const SUCCESS_TAIL_BYTES = 64 * 1024
const SUCCESS_HEAD_BYTES = 16 * 1024
/**
 * A failed task's view must show its first error as well as its end, and the first error can be
 * anywhere: the log is streamed through the view whole up to this size (about 80 ms here), else
 * its first and last halves of it.
 */
const FAILURE_SCAN_BYTES = 8 * 1024 * 1024

/** How a completion's preview says where the rest is, when the manager's options do not say. */
export function defaultReadHint(taskId: string): string {
  return `read it with bash_output ${taskId} or bgbash logs`
}

/** How a manager's completion previews read (TaskManagerOptions.readHint, relativePaths, terseViews). */
export interface PreviewStyle {
  readHint?: ((taskId: string) => string) | undefined
  relativePaths?: boolean
  terse?: boolean
}

/** The notice owed to a session when one of its tasks ends, with a model-sized view of its output. */
export function buildCompletion(record: TaskRecord, paths: TaskPaths, style: PreviewStyle = {}): Completion {
  const isSuccess = record.status === 'completed'
  const hint = (style.readHint ?? defaultReadHint)(record.taskId)
  const builder = new ViewBuilder({
    budgetBytes: isSuccess ? COMPLETION_SUCCESS_BYTES : COMPLETION_FAILURE_BYTES,
    readHint: hint,
    // Paths from the project's root, as the model (whose directory that is) would write them.
    ...(style.relativePaths && record.cwd === record.projectRoot ? { relativeTo: record.cwd } : {}),
    terse: style.terse === true,
    // A failure's notice shows what went wrong, not the passing lines around it.
    focus: isSuccess ? 'ends' : 'problems',
  })
  const scan = isSuccess ? SUCCESS_HEAD_BYTES + SUCCESS_TAIL_BYTES : FAILURE_SCAN_BYTES
  const headBytes = isSuccess ? SUCCESS_HEAD_BYTES : FAILURE_SCAN_BYTES / 2
  const { view, isPartial, hasUnread, lastByte } = streamLog(paths, builder, scan, headBytes)
  // The preview says once how to read what it left out: its first gap marker does, or, when all
  // it read fit but some of the log was not read, a last line.
  const preview = hasUnread && !view.truncated ? `${view.text}\n… ${hint} …` : view.text
  return {
    taskId: record.taskId,
    sessionId: record.sessionId,
    status: record.status,
    exitCode: record.exitCode,
    endReason: record.endReason,
    command: record.command,
    description: record.description,
    durationMs: record.durationMs,
    outputPreview: preview,
    outputTruncated: view.truncated || isPartial,
    outputEndsWithNewline: lastByte === 0x0a,
    ...(record.leftoverProcesses ? { leftoverProcesses: record.leftoverProcesses } : {}),
    ...(record.pipelineStatus ? { pipelineStatus: record.pipelineStatus } : {}),
  }
}

/**
 * Streams a log's bytes into a view in bounded reads: all of it when it is at most `scanBytes`,
 * else its first `headBytes` and its last `scanBytes - headBytes`, with a line saying what was not
 * read (`hasUnread`), and one where the disk cap dropped bytes (`isPartial` for either).
 */
function streamLog(
  paths: TaskPaths,
  builder: ViewBuilder,
  scanBytes: number,
  headBytes: number,
): { view: OutputView; isPartial: boolean; hasUnread: boolean; lastByte: number | undefined } {
  const total = readLogBytes(paths, { offset: 0, maxBytes: 0 }).totalBytes
  const ranges: Array<[number, number]> =
    total <= scanBytes
      ? [[0, total]]
      : [
          [0, headBytes],
          [total - (scanBytes - headBytes), total],
        ]
  let isPartial = false
  let hasUnread = false
  let lastByte: number | undefined
  let previousEnd = 0
  for (const [start, end] of ranges) {
    if (start > previousEnd) {
      builder.push(`\n… ${start - previousEnd} bytes not read here …\n`)
      isPartial = true
      hasUnread = true
    }
    let offset = start
    while (offset < end) {
      const run = readLogBytes(paths, { offset, maxBytes: Math.min(LOG_SCAN_CHUNK_BYTES, end - offset) })
      if (run.offset > offset) {
        // The disk cap dropped bytes here; what follows them may lie past this range.
        const skipped = Math.min(run.offset, end) - offset
        builder.push(`\n… ${skipped} bytes dropped by the disk cap …\n`)
        isPartial = true
        offset += skipped
        if (run.offset >= end) break
      }
      if (run.bytes.length === 0) break
      builder.push(run.bytes)
      lastByte = run.bytes.at(-1)
      // Not run.nextOffset: a read that stops at the hole leaves it to the next one, which says so.
      offset += run.bytes.length
    }
    previousEnd = Math.max(offset, end)
  }
  return { view: builder.finish(), isPartial, hasUnread, lastByte }
}
