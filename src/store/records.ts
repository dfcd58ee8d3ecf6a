import fs from 'node:fs'
import { SCHEMA_VERSION } from '../constants.js'
import type { EndReason, KillReason, LeftoverProcess, TaskRecord, TaskStatus } from '../types.js'
import {
  createFileExclusive,
  createMarkerExclusive,
  exists,
  readFileIfExists,
  readJsonIfExists,
  writeFileAtomic,
} from './fsx.js'
import type { LeftoversKilled } from './leftover-records.js'
import type { TaskPaths } from './paths.js'

// Wire and disk names are snake_case; this file is the one place that maps them to camelCase.

/** task.json: written once before spawn. */
export interface TaskMeta {
  schemaVersion: number
  taskId: string
  sessionId: string
  command: string
  shell: string
  cwd: string
  env: Record<string, string>
  timeoutMs: number
  notify: boolean
  stdin: boolean
  description: string | undefined
  createdAt: number
  /** Pid of the manager that created the task, to tell an aborted spawn from one under way. */
  createdBy: number
  /** Kernel start time of that manager, so a reused pid is not mistaken for it. */
  createdByStart: number
  /** Disk cap of the log that the task's relay keeps (0: none); undefined in older records. */
  outputCapBytes: number | undefined
  /** The project the task belongs to (its visibility); undefined in records of the previous layout. */
  projectRoot: string | undefined
  /**
   * Set when the owner is the creating manager process itself (an MCP server without a session
   * of its own): the client process that started that manager, who may inherit its completions.
   */
  client: ProcessId | undefined
}

/** A process named by pid and kernel start time, so a reused pid is not mistaken for it. */
export interface ProcessId {
  pid: number
  startTime: number
}

/** pid.json: written once after spawn. */
export interface PidInfo {
  pid: number
  pgid: number
  /** Kernel start time of the pid (clock ticks since boot), to recognise a reused pid. */
  startTime: number
  spawnedBy: number
  startedAt: number
}

/** kill.json: created once by whoever starts a kill. */
export interface KillInfo {
  reason: KillReason
  by: string
  at: number
  /** The manager running the kill (pid and kernel start time), so another one leaves it to finish. */
  managerPid?: number
  managerStart?: number
}

/** end.json: the terminal record, created once. */
export interface EndInfo {
  status: TaskStatus
  exitCode: number | null
  endReason: EndReason
  killedBy?: string
  signal?: string
  finishedAt: number
  durationMs: number
  outputBytes: number
  droppedBytes: number
  statusReason?: string
}

/** dropped.json: how much of the log the disk cap has punched out. */
export interface DroppedInfo {
  headBytes: number
  droppedUntil: number
}

export function writeTaskMeta(paths: TaskPaths, meta: TaskMeta): void {
  writeFileAtomic(
    paths.task,
    JSON.stringify({
      schema_version: meta.schemaVersion,
      task_id: meta.taskId,
      session_id: meta.sessionId,
      command: meta.command,
      shell: meta.shell,
      cwd: meta.cwd,
      env: meta.env,
      timeout_ms: meta.timeoutMs,
      notify: meta.notify,
      stdin: meta.stdin,
      description: meta.description ?? null,
      created_at: meta.createdAt,
      created_by: meta.createdBy,
      created_by_start: meta.createdByStart,
      output_cap_bytes: meta.outputCapBytes,
      project_root: meta.projectRoot,
      client_pid: meta.client?.pid,
      client_start: meta.client?.startTime,
    }),
  )
}

// biome-ignore lint/suspicious/noExplicitAny: parsed JSON of a record written by this module
type Raw = any

/** `isPromoted`: whether a `promoted` file is there, when the caller has listed the directory. */
export function readTaskMeta(paths: TaskPaths, isPromoted?: boolean): TaskMeta | undefined {
  const raw: Raw = readJsonIfExists(paths.task)
  if (!raw || typeof raw !== 'object') return undefined
  return {
    schemaVersion: raw.schema_version,
    taskId: raw.task_id,
    sessionId: raw.session_id,
    command: raw.command,
    shell: raw.shell,
    cwd: raw.cwd,
    env: raw.env ?? {},
    timeoutMs: raw.timeout_ms ?? 0,
    // A task started without notify may be promoted later (a `promoted` file): it then notifies.
    notify: raw.notify !== false || (isPromoted ?? exists(paths.promoted)),
    stdin: raw.stdin === true,
    description: raw.description ?? undefined,
    createdAt: raw.created_at,
    createdBy: raw.created_by ?? 0,
    createdByStart: raw.created_by_start ?? 0,
    outputCapBytes: typeof raw.output_cap_bytes === 'number' ? raw.output_cap_bytes : undefined,
    projectRoot: typeof raw.project_root === 'string' ? raw.project_root : undefined,
    client:
      typeof raw.client_pid === 'number' && typeof raw.client_start === 'number'
        ? { pid: raw.client_pid, startTime: raw.client_start }
        : undefined,
  }
}

/** command.sh: a command too long to pass as an argument, written once before spawn. */
export function writeCommandFile(paths: TaskPaths, command: string): void {
  writeFileAtomic(paths.command, command)
}

export function writePidInfo(paths: TaskPaths, info: PidInfo): void {
  writeFileAtomic(
    paths.pid,
    JSON.stringify({
      pid: info.pid,
      pgid: info.pgid,
      start_time: info.startTime,
      spawned_by: info.spawnedBy,
      started_at: info.startedAt,
    }),
  )
}

export function readPidInfo(paths: TaskPaths): PidInfo | undefined {
  const raw: Raw = readJsonIfExists(paths.pid)
  if (!raw || typeof raw.pid !== 'number') return undefined
  return {
    pid: raw.pid,
    pgid: raw.pgid ?? raw.pid,
    startTime: raw.start_time,
    spawnedBy: raw.spawned_by,
    startedAt: raw.started_at,
  }
}

/** The `exit` record: the command's code, and whether its output has drained into the log. */
export interface ExitRecord {
  code: number
  /** The relay emptied the pipe after the command exited (a second line, `drained`). */
  drained: boolean
}

/** Reads `exit`: a code and a newline once the command exited; `drained` on a second line later. */
export function readExitRecord(paths: TaskPaths): ExitRecord | undefined {
  const text = readFileIfExists(paths.exit)
  const end = text?.indexOf('\n') ?? -1
  if (!text || end < 0) return undefined
  const code = Number.parseInt(text.slice(0, end), 10)
  if (!Number.isInteger(code)) return undefined
  return { code, drained: text.startsWith('drained\n', end + 1) }
}

/** The shell's exit code as the wrapper wrote it; undefined while the shell runs. */
export function readExitCode(paths: TaskPaths): number | undefined {
  return readExitRecord(paths)?.code
}

export function createKillInfo(paths: TaskPaths, info: KillInfo): boolean {
  return createFileExclusive(
    paths.kill,
    JSON.stringify({
      reason: info.reason,
      by: info.by,
      at: info.at,
      manager_pid: info.managerPid,
      manager_start: info.managerStart,
    }),
    false,
  )
}

export function readKillInfo(paths: TaskPaths): KillInfo | undefined {
  const raw: Raw = readJsonIfExists(paths.kill)
  if (!raw) return undefined
  return {
    reason: raw.reason,
    by: raw.by,
    at: raw.at,
    managerPid: raw.manager_pid,
    managerStart: raw.manager_start,
  }
}

export function createEndInfo(paths: TaskPaths, end: EndInfo): boolean {
  return createFileExclusive(
    paths.end,
    JSON.stringify({
      status: end.status,
      exit_code: end.exitCode,
      end_reason: end.endReason,
      killed_by: end.killedBy,
      signal: end.signal,
      finished_at: end.finishedAt,
      duration_ms: end.durationMs,
      output_bytes: end.outputBytes,
      dropped_bytes: end.droppedBytes,
      status_reason: end.statusReason,
    }),
  )
}

export function readEndInfo(paths: TaskPaths): EndInfo | undefined {
  const raw: Raw = readJsonIfExists(paths.end)
  if (!raw || typeof raw.status !== 'string') return undefined
  return {
    status: raw.status,
    exitCode: raw.exit_code ?? null,
    endReason: raw.end_reason,
    killedBy: raw.killed_by,
    signal: raw.signal,
    finishedAt: raw.finished_at,
    durationMs: raw.duration_ms,
    outputBytes: raw.output_bytes ?? 0,
    droppedBytes: raw.dropped_bytes ?? 0,
    statusReason: raw.status_reason,
  }
}

/** Turns notify on for a task that was started without it. */
export function markPromoted(paths: TaskPaths): void {
  createFileExclusive(paths.promoted, JSON.stringify({ at: Date.now() }), false)
}

/** Marks a task whose end was shown in the reply to the call that started it (see AckOptions). */
export function markAnsweredInline(paths: TaskPaths): void {
  createFileExclusive(paths.answered, JSON.stringify({ at: Date.now() }), false)
}

/** Claims the completion of a task: true for exactly one caller across every manager. */
export function claimDelivery(paths: TaskPaths, by: string): boolean {
  return createMarkerExclusive(paths.delivered, JSON.stringify({ at: Date.now(), by }))
}

export function isDelivered(paths: TaskPaths): boolean {
  return readFileIfExists(paths.delivered) !== undefined
}

export function readDroppedInfo(paths: TaskPaths): DroppedInfo | undefined {
  const raw: Raw = readJsonIfExists(paths.dropped)
  if (!raw || typeof raw.dropped_until !== 'number') return undefined
  return { headBytes: raw.head_bytes, droppedUntil: raw.dropped_until }
}

export function getDroppedBytes(info: DroppedInfo | undefined): number {
  return info ? Math.max(0, info.droppedUntil - info.headBytes) : 0
}

/** Apparent size of the log: every byte ever written, including dropped ones. */
export function readOutputSize(paths: TaskPaths): number {
  try {
    return fs.statSync(paths.output).size
  } catch {
    return 0
  }
}

/** Status is derived, never stored: end.json → its status; kill.json → killing; pid.json → running. */
export function deriveStatus(
  hasEnd: EndInfo | undefined,
  kill: KillInfo | undefined,
  pid: PidInfo | undefined,
): TaskStatus {
  if (hasEnd) return hasEnd.status
  if (kill) return 'killing'
  if (pid) return 'running'
  return 'starting'
}

/** The exit code of each stage of a pipeline, as bash wrote them (one a line); undefined if unreadable. */
export function readPipelineStatus(paths: TaskPaths): number[] | undefined {
  try {
    const codes = fs.readFileSync(paths.pipelineStatus, 'utf8').trim().split('\n').map(Number)
    return codes.length > 0 && codes.every((code) => Number.isInteger(code) && code >= 0) ? codes : undefined
  } catch {
    // Not written (the shell died before its last line), or removed meanwhile: nothing to say.
    return undefined
  }
}

/** Builds the public record of a task from its files. */
export function buildTaskRecord(
  paths: TaskPaths,
  meta: TaskMeta,
  pid: PidInfo | undefined,
  kill: KillInfo | undefined,
  end: EndInfo | undefined,
  delivered: boolean,
  live: { outputBytes: number; droppedBytes: number },
  ended: {
    leftovers?: LeftoverProcess[]
    killedLeftovers?: LeftoversKilled
    answeredInline?: boolean
    pipelineStatus?: number[]
  } = {},
): TaskRecord {
  const { leftovers, killedLeftovers, answeredInline, pipelineStatus } = ended
  const record: TaskRecord = {
    taskId: meta.taskId,
    sessionId: meta.sessionId,
    projectRoot: meta.projectRoot ?? null,
    outputPath: paths.output,
    command: meta.command,
    cwd: meta.cwd,
    shell: meta.shell,
    description: meta.description,
    notify: meta.notify,
    stdin: meta.stdin,
    status: deriveStatus(end, kill, pid),
    exitCode: end ? end.exitCode : null,
    endReason: end ? end.endReason : null,
    pid: pid?.pid ?? null,
    createdAt: meta.createdAt,
    startedAt: pid?.startedAt ?? null,
    finishedAt: end?.finishedAt ?? null,
    durationMs: end ? end.durationMs : null,
    timeoutMs: meta.timeoutMs,
    outputBytes: end ? end.outputBytes : live.outputBytes,
    droppedBytes: end ? end.droppedBytes : live.droppedBytes,
    delivered: delivered || !meta.notify,
  }
  if (end?.killedBy) record.killedBy = end.killedBy
  if (end?.signal) record.signal = end.signal
  if (leftovers?.length) record.leftoverProcesses = leftovers
  if (killedLeftovers) record.killedLeftovers = killedLeftovers
  if (answeredInline) record.answeredInline = true
  if (pipelineStatus) record.pipelineStatus = pipelineStatus
  if (end?.statusReason) record.statusReason = end.statusReason
  if (meta.schemaVersion !== SCHEMA_VERSION) record.unknownSchema = meta.schemaVersion
  return record
}
