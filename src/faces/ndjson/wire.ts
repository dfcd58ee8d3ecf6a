import path from 'node:path'
import {
  type Completion,
  type LeftoverProcess,
  segmentName,
  splitPipeline,
  type TaskRecord,
  type TaskStatus,
} from '../../index.js'
import type { Frame } from './protocol.js'

/** Who killed a task whose held call the harness aborted: shown as its `status_reason`, as in AFT. */
export const CALL_ABORTED = 'call_aborted'

/**
 * Statuses as AFT's pollers expect them: a task whose fate nobody saw is `fate_unknown`, and one
 * being killed still reads `running` until its final status is recorded (no in-between `killing`).
 */
export function toWireStatus(status: TaskStatus): string {
  if (status === 'lost') return 'fate_unknown'
  if (status === 'killing') return 'running'
  return status
}

/** Exit codes as AFT reports them: killed 137, timed out 124. */
export function toWireExitCode(status: TaskStatus, exitCode: number | null): number | null {
  if (status === 'killed') return 137
  if (status === 'timed_out') return 124
  return exitCode
}

/** A preview ends with the output's final newline, as AFT's do (a view leaves it out). */
export function withFinalNewline(text: string, endsWithNewline: boolean): string {
  return endsWithNewline && text !== '' && !text.endsWith('\n') ? `${text}\n` : text
}

/**
 * AFT's note on a pipeline whose last stage succeeded after an earlier one failed (the pipeline's
 * exit code hides it): the first stage that failed, and whose code the pipeline's is.
 */
export function pipelineNote(command: string, statuses: number[] | undefined): string | undefined {
  const segments = splitPipeline(command)
  if (!segments || !statuses || statuses.length !== segments.length || statuses.at(-1) !== 0) return undefined
  const failed = statuses.findIndex((code) => code !== 0)
  if (failed < 0) return undefined
  const stage = segmentName(segments[failed]!)
  const last = segmentName(segments.at(-1)!)
  return `note: \`${stage}\` (segment ${failed + 1} of ${segments.length}) exited ${statuses[failed]}; the pipeline's exit code is \`${last}\`'s.`
}

/** A preview with the pipeline note after the output, when there is one. */
export function withPipelineNote(preview: string, command: string, statuses: number[] | undefined): string {
  const note = pipelineNote(command, statuses)
  if (!note) return preview
  return preview === '' || preview.endsWith('\n') ? `${preview}${note}` : `${preview}\n${note}`
}

/** A process the command left running, as AFT lists it: pid, name, and the argv[0] it runs under. */
function toWireDescendant(process: LeftoverProcess): { pid: number; comm: string; argv0: string } {
  const argv0 = process.command.split(' ')[0] ?? ''
  return { pid: process.pid, comm: process.name ?? path.basename(argv0), argv0 }
}

/**
 * `live_descendants` (and its summary when there are some) of an ended task: what its command
 * left running, still running. While the task runs there is no such list: null.
 */
export function descendantsToWire(taskId: string, processes: LeftoverProcess[] | undefined): Frame {
  const live = (processes ?? []).map(toWireDescendant)
  if (live.length === 0) return { live_descendants: live }
  const counts = new Map<string, number>()
  for (const { comm } of live) counts.set(comm, (counts.get(comm) ?? 0) + 1)
  const names = [...counts].map(([name, n]) => (n > 1 ? `${name} ×${n}` : name)).join(', ')
  const count = live.length === 1 ? '1 live descendant' : `${live.length} live descendants`
  return {
    live_descendants: live,
    live_descendants_summary: `${count} still running: ${names} — they keep the task's process group; bash_kill(${taskId}) stops them`,
  }
}

/** A completion as its `bash_completed` frame carries it. */
export function completionToWire(completion: Completion): Frame {
  const frame: Frame = {
    task_id: completion.taskId,
    session_id: completion.sessionId,
    status: toWireStatus(completion.status),
    exit_code: toWireExitCode(completion.status, completion.exitCode),
    command: completion.command,
    output_preview: withPipelineNote(
      withFinalNewline(completion.outputPreview, completion.outputEndsWithNewline),
      completion.command,
      completion.pipelineStatus,
    ),
    output_truncated: completion.outputTruncated,
    duration_ms: completion.durationMs,
    end_reason: completion.endReason,
  }
  if (completion.status === 'lost') frame.status_reason = 'process gone without an exit code'
  // Known only once the scan for leftovers ran, which follows the completion (docs/protocol.md).
  if (completion.leftoverProcesses)
    Object.assign(frame, descendantsToWire(completion.taskId, completion.leftoverProcesses))
  return frame
}

/** An owed completion as it rides on a reply or comes out of drain: as AFT's, no empty preview. */
export function owedCompletionToWire(completion: Completion): Frame {
  const entry = completionToWire(completion)
  if (entry.output_preview === '') delete entry.output_preview
  return entry
}

/**
 * A task snapshot as `bash_status` and `bash_kill` return it. As in AFT: no duration while it
 * runs, no child pid once it has ended (the process is gone).
 */
export function recordToWire(record: TaskRecord, preview: { text: string; truncated: boolean }): Frame {
  const isEnded = record.finishedAt !== null
  const frame: Frame = {
    task_id: record.taskId,
    status: toWireStatus(record.status),
    command: record.command,
    mode: 'pipes',
    description: record.description ?? null,
    started_at: record.startedAt,
    finished_at: record.finishedAt,
    duration_ms: record.durationMs,
    exit_code: toWireExitCode(record.status, record.exitCode),
    end_reason: record.endReason,
    child_pid: isEnded ? null : record.pid,
    workdir: record.cwd,
    timeout_ms: record.timeoutMs,
    output_bytes: record.outputBytes,
    dropped_bytes: record.droppedBytes,
    output_preview: withPipelineNote(preview.text, record.command, record.pipelineStatus),
    output_truncated: preview.truncated,
    output_path: record.outputPath,
    // stdout and stderr are one log (see docs/protocol.md, combined-log): no file of stderr alone.
    stderr_path: null,
  }
  if (record.signal) frame.signal = record.signal
  if (record.killedBy) frame.killed_by = record.killedBy
  if (record.statusReason) frame.status_reason = record.statusReason
  else if (record.killedBy === CALL_ABORTED) frame.status_reason = CALL_ABORTED
  Object.assign(
    frame,
    isEnded ? descendantsToWire(record.taskId, record.leftoverProcesses) : { live_descendants: null },
  )
  if (record.alreadyFinished) frame.already_finished = true
  return frame
}
