import { buildView, COMPLETION_FAILURE_BYTES, COMPLETION_SUCCESS_BYTES } from '../output/index.js'
import { readHeadAndTail } from '../store/output-log.js'
import type { TaskPaths } from '../store/paths.js'
import type { Completion, TaskRecord } from '../types.js'

/** Bytes read from each end of a log to build a completion preview (views are at most 4 KiB). */
const PREVIEW_HEAD_BYTES = 16 * 1024
const PREVIEW_TAIL_BYTES = 64 * 1024

/** The notice owed to a session when one of its tasks ends, with a model-sized view of its output. */
export function buildCompletion(record: TaskRecord, paths: TaskPaths): Completion {
  const budgetBytes = record.status === 'completed' ? COMPLETION_SUCCESS_BYTES : COMPLETION_FAILURE_BYTES
  const { text, total } = readHeadAndTail(paths, PREVIEW_HEAD_BYTES, PREVIEW_TAIL_BYTES)
  const view = buildView(text, {
    budgetBytes,
    readHint: `read it with bash_output ${record.taskId} or bgbash logs`,
  })
  return {
    taskId: record.taskId,
    sessionId: record.sessionId,
    status: record.status,
    exitCode: record.exitCode,
    endReason: record.endReason,
    command: record.command,
    description: record.description,
    durationMs: record.durationMs,
    outputPreview: view.text,
    outputTruncated: view.truncated || total > Buffer.byteLength(text),
  }
}
