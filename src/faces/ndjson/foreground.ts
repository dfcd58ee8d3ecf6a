import { FOREGROUND_RESULT_BYTES, type TaskManager, type TaskRecord } from '../../index.js'
import { readPreview } from './preview.js'
import type { Frame } from './protocol.js'
import { toWireExitCode, toWireStatus, withPipelineNote } from './wire.js'

// Foreground calls as AFT's harness plugins make them: the reply is held until the command ends
// (one terminal reply with the text the model reads), or, orchestrated and past the wait window,
// says the command went on in the background.

/** How long an orchestrated foreground call waits before it is promoted (AFT 0.57.2: 15 s, measured). */
export const DEFAULT_FOREGROUND_WAIT_MS = 15_000

/** The reply to a foreground call whose command ended: AFT's fields, `output` as the model reads it. */
export async function terminalReply(tm: TaskManager, record: TaskRecord): Promise<Frame> {
  const view = await readPreview(tm, record.taskId, FOREGROUND_RESULT_BYTES)
  const preview = { ...view, text: withPipelineNote(view.text, record.command, record.pipelineStatus) }
  const exitCode = toWireExitCode(record.status, record.exitCode)
  const isTimedOut = record.status === 'timed_out'
  let output = preview.text
  if (isTimedOut) output += '\n[command timed out]'
  if (exitCode !== 0) output += `\n[exit code: ${exitCode ?? 'unknown'}]`
  return {
    output,
    task_id: record.taskId,
    status: toWireStatus(record.status),
    mode: 'pipes',
    exit_code: exitCode,
    output_preview: preview.text,
    output_truncated: preview.truncated,
    truncated: preview.truncated,
    output_path: record.outputPath,
    timed_out: isTimedOut,
    duration_ms: record.durationMs,
  }
}

/** The reply to an orchestrated call still running at the end of its wait window. */
export function promotedReply(taskId: string, waitMs: number): Frame {
  return {
    output: `Foreground bash didn't finish within ${waitMs / 1000}s and was promoted to background: ${taskId}. A completion reminder will be delivered automatically; use bash_status({ taskId: "${taskId}" }) to inspect output or bash_kill({ taskId: "${taskId}" }) to terminate.`,
    task_id: taskId,
    status: 'running',
  }
}

/** The reply to an orchestrated background call: at once, with the line the model reads. */
export function launchReply(taskId: string): Frame {
  return {
    output: `Background task started: ${taskId}. A completion reminder will be delivered automatically; don't poll bash_status.`,
    task_id: taskId,
    status: 'running',
    mode: 'pipes',
  }
}
