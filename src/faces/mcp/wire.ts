// The one place where engine names (camelCase) become MCP wire names (snake_case).
import * as z from 'zod'
import type { Completion, LongRunningNotice, TaskRecord } from '../../index.js'

/** `T | null` as `anyOf` branches: portable to clients that map schemas onto a single-`type` dialect. */
export function orNull<T extends z.ZodType>(schema: T) {
  // The description keeps zod from folding the branches back into `type: [T, "null"]`.
  return z.union([schema, z.null().describe('not known (yet)')])
}

export const taskRecordSchema = z.object({
  task_id: z.string(),
  session_id: z.string(),
  command: z.string(),
  cwd: z.string(),
  shell: z.string(),
  description: orNull(z.string()),
  notify: z.boolean(),
  stdin: z.boolean(),
  status: z.string().describe('starting, running, killing, completed, failed, killed, timed_out or lost'),
  exit_code: orNull(z.number()),
  end_reason: orNull(z.string()),
  killed_by: z.string().optional(),
  signal: z.string().optional(),
  pid: orNull(z.number()),
  created_at: z.number().describe('epoch ms'),
  started_at: orNull(z.number()),
  finished_at: orNull(z.number()),
  duration_ms: orNull(z.number()),
  timeout_ms: z.number(),
  output_bytes: z.number(),
  dropped_bytes: z.number(),
  leftover_processes: z
    .array(z.object({ pid: z.number(), command: z.string() }))
    .optional()
    .describe('Processes the command left running that still run; bash_kill stops them'),
  killed_leftovers: z
    .object({
      at: z.number(),
      by: z.string(),
      processes: z.array(z.object({ pid: z.number(), command: z.string() })),
    })
    .optional()
    .describe('What a kill of the ended task stopped of what it left running'),
  status_reason: z.string().optional(),
  already_finished: z.boolean().optional(),
  delivered: z.boolean(),
})
export type TaskRecordWire = z.infer<typeof taskRecordSchema>

export const completionSchema = z.object({
  task_id: z.string(),
  status: z.string(),
  exit_code: orNull(z.number()),
  end_reason: orNull(z.string()),
  command: z.string(),
  description: orNull(z.string()),
  duration_ms: orNull(z.number()),
  output_preview: z.string(),
  output_truncated: z.boolean(),
  inherited: z.boolean().optional().describe('started by this client before the server restarted'),
})
export type CompletionWire = z.infer<typeof completionSchema>

export const longRunningSchema = z.object({
  task_id: z.string(),
  command: z.string(),
  elapsed_ms: z.number(),
})
export type LongRunningWire = z.infer<typeof longRunningSchema>

/** Fields every tool result carries: what the session is owed (SPEC §8). */
export const noticesShape = {
  completions: z
    .array(completionSchema)
    .describe('Tasks this server started that ended since the last tool result; each is reported once'),
  long_running: z.array(longRunningSchema).describe('Tasks still running past the reminder interval'),
}

export function recordToWire(record: TaskRecord): TaskRecordWire {
  const wire: TaskRecordWire = {
    task_id: record.taskId,
    session_id: record.sessionId,
    command: record.command,
    cwd: record.cwd,
    shell: record.shell,
    description: record.description ?? null,
    notify: record.notify,
    stdin: record.stdin,
    status: record.status,
    exit_code: record.exitCode,
    end_reason: record.endReason,
    pid: record.pid,
    created_at: record.createdAt,
    started_at: record.startedAt,
    finished_at: record.finishedAt,
    duration_ms: record.durationMs,
    timeout_ms: record.timeoutMs,
    output_bytes: record.outputBytes,
    dropped_bytes: record.droppedBytes,
    delivered: record.delivered,
  }
  if (record.killedBy !== undefined) wire.killed_by = record.killedBy
  if (record.signal !== undefined) wire.signal = record.signal
  if (record.leftoverProcesses !== undefined)
    wire.leftover_processes = record.leftoverProcesses.map(({ pid, command }) => ({ pid, command }))
  if (record.killedLeftovers !== undefined) wire.killed_leftovers = record.killedLeftovers
  if (record.statusReason !== undefined) wire.status_reason = record.statusReason
  if (record.alreadyFinished !== undefined) wire.already_finished = record.alreadyFinished
  return wire
}

export function completionToWire(completion: Completion): CompletionWire {
  return {
    task_id: completion.taskId,
    status: completion.status,
    exit_code: completion.exitCode,
    end_reason: completion.endReason,
    command: completion.command,
    description: completion.description ?? null,
    duration_ms: completion.durationMs,
    output_preview: completion.outputPreview,
    output_truncated: completion.outputTruncated,
    ...(completion.inherited ? { inherited: true } : {}),
  }
}

export function noticeToWire(notice: LongRunningNotice): LongRunningWire {
  return { task_id: notice.taskId, command: notice.command, elapsed_ms: notice.elapsedMs }
}
