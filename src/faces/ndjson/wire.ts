import type { Completion, TaskRecord, TaskStatus } from '../../index.js'
import type { Frame } from './protocol.js'

/** Statuses as AFT names them: a task whose fate nobody saw is `fate_unknown`. */
export function toWireStatus(status: TaskStatus): string {
  return status === 'lost' ? 'fate_unknown' : status
}

/** Exit codes as AFT reports them: killed 137, timed out 124. */
export function toWireExitCode(status: TaskStatus, exitCode: number | null): number | null {
  if (status === 'killed') return 137
  if (status === 'timed_out') return 124
  return exitCode
}

export function completionToWire(completion: Completion): Frame {
  const frame: Frame = {
    task_id: completion.taskId,
    session_id: completion.sessionId,
    status: toWireStatus(completion.status),
    exit_code: toWireExitCode(completion.status, completion.exitCode),
    command: completion.command,
    output_preview: completion.outputPreview,
    output_truncated: completion.outputTruncated,
    duration_ms: completion.durationMs,
    end_reason: completion.endReason,
  }
  if (completion.status === 'lost') frame.status_reason = 'process gone without an exit code'
  return frame
}

/** A task snapshot as `bash_status` and `bash_kill` return it. */
export function recordToWire(record: TaskRecord, preview: { text: string; truncated: boolean }): Frame {
  const now = Date.now()
  const frame: Frame = {
    task_id: record.taskId,
    status: toWireStatus(record.status),
    command: record.command,
    description: record.description ?? null,
    started_at: record.startedAt,
    finished_at: record.finishedAt,
    duration_ms: record.durationMs ?? (record.startedAt ? now - record.startedAt : null),
    exit_code: toWireExitCode(record.status, record.exitCode),
    end_reason: record.endReason,
    child_pid: record.pid,
    workdir: record.cwd,
    timeout_ms: record.timeoutMs,
    output_bytes: record.outputBytes,
    dropped_bytes: record.droppedBytes,
    output_preview: preview.text,
    output_truncated: preview.truncated,
  }
  if (record.signal) frame.signal = record.signal
  if (record.killedBy) frame.killed_by = record.killedBy
  if (record.statusReason) frame.status_reason = record.statusReason
  if (record.leftoverProcesses) frame.live_descendants = record.leftoverProcesses
  if (record.alreadyFinished) frame.already_finished = true
  return frame
}
