import type { ReadyResult, ReadyWhen } from './engine/ready.js'
/** Every status a task can have (SPEC §2). A terminal status is final. */
export const TaskStatus = {
  starting: 'starting',
  running: 'running',
  killing: 'killing',
  completed: 'completed',
  failed: 'failed',
  killed: 'killed',
  timedOut: 'timed_out',
  lost: 'lost',
} as const
export type TaskStatus = (typeof TaskStatus)[keyof typeof TaskStatus]

export const TERMINAL_STATUSES: ReadonlySet<TaskStatus> = new Set([
  TaskStatus.completed,
  TaskStatus.failed,
  TaskStatus.killed,
  TaskStatus.timedOut,
  TaskStatus.lost,
])

/** Why a task ended (SPEC §2). */
export const EndReason = {
  exit: 'exit',
  signal: 'signal',
  spawnError: 'spawn_error',
  kill: 'kill',
  timeout: 'timeout',
  lost: 'lost',
} as const
export type EndReason = (typeof EndReason)[keyof typeof EndReason]

/** Why a kill was started. */
export const KillReason = {
  user: 'user',
  timeout: 'timeout',
  shutdown: 'shutdown',
  outputCap: 'output_cap',
} as const
export type KillReason = (typeof KillReason)[keyof typeof KillReason]

export type ShellName = 'bash' | 'sh' | 'zsh'

/** A process that outlived its task's shell. */
export interface LeftoverProcess {
  pid: number
  command: string
  /** The kernel's name of its program (comm), when known: `sleep` under an argv[0] of `worker`. */
  name?: string
  /** Kernel start time (clock ticks since boot), so a reused pid is not taken for it. */
  startTime?: number
}

/** What bgbash knows about one task. Times are epoch ms. */
export interface TaskRecord {
  taskId: string
  /** The owner: the only one owed the completion. */
  sessionId: string
  /** The project the task belongs to; null for a task written by the previous store layout. */
  projectRoot: string | null
  /** The task's log: stdout and stderr together, as written (bytes dropped by the disk cap are a hole). */
  outputPath: string
  command: string
  cwd: string
  shell: string
  description: string | undefined
  notify: boolean
  stdin: boolean
  status: TaskStatus
  /** Exit code: 0, the command's code, 128+n for a signal, 124 for a timeout; null if unknown. */
  exitCode: number | null
  endReason: EndReason | null
  killedBy?: string
  /** Name of the signal that ended the task, when one did. */
  signal?: string
  pid: number | null
  createdAt: number
  startedAt: number | null
  finishedAt: number | null
  durationMs: number | null
  /** Deadline in ms; 0 means none. */
  timeoutMs: number
  outputBytes: number
  droppedBytes: number
  /**
   * Processes the command left running that still run: they belong to the task until they exit
   * (its kill and its deadline end them; gc keeps the task meanwhile).
   */
  leftoverProcesses?: LeftoverProcess[]
  /** Leftover processes a kill of the ended task stopped (its status and exit code stay). */
  killedLeftovers?: { at: number; by: string; processes: LeftoverProcess[] }
  statusReason?: string
  /** Its end was shown in the reply to the call that started it: kept 1 h, left out of default lists. */
  answeredInline?: boolean
  /**
   * The exit code of each stage of a command that is one pipeline, from a manager made with
   * `capturePipelineStatus` (bash only): a failure upstream of a last stage that succeeded.
   */
  pipelineStatus?: number[]
  /** Set by `kill` when the task had already ended. */
  alreadyFinished?: boolean
  /** The completion was handed out (or is not owed). */
  delivered: boolean
  /** Present when the record was written by an unknown schema version: reported, never deleted. */
  unknownSchema?: number
}

/** The notice that a task ended, owed to its session until delivered. */
export interface Completion {
  taskId: string
  sessionId: string
  status: TaskStatus
  exitCode: number | null
  endReason: EndReason | null
  command: string
  description: string | undefined
  durationMs: number | null
  /**
   * A model-sized view of the output. When something was left out it says so, and once how to
   * read it (TaskManagerOptions.readHint): in its first gap marker, or on its last line.
   */
  outputPreview: string
  /** The preview left something out: lines, bytes not read, or bytes the disk cap dropped. */
  outputTruncated: boolean
  /** The output's last byte is a newline (a view leaves it out; a face may put it back). */
  outputEndsWithNewline: boolean
  /** The exit code of each stage of a pipeline (TaskRecord.pipelineStatus). */
  pipelineStatus?: number[]
  /** Processes the command left running, still running when the completion was built. */
  leftoverProcesses?: LeftoverProcess[]
  /**
   * The task was started by this client's previous manager (a server that has since exited) and
   * its completion passed here (see docs/architecture.md, Ownership).
   */
  inherited?: boolean
}

/** Raised every reminder interval for a task that is still running. */
export interface LongRunningNotice {
  taskId: string
  sessionId: string
  command: string
  elapsedMs: number
}

export interface SpawnOptions {
  command: string
  /** Working directory; default: the manager's project root, else its cwd. */
  cwd?: string
  /** Extra environment variables; PATH, LD_* and similar are refused. */
  env?: Record<string, string>
  /** Deadline in ms (1 ms … 7 days); default 30 min; 0 means none. */
  timeoutMs?: number
  /** Owe a completion when the task ends; default true. */
  notify?: boolean
  /** `bash` (default when present), `sh` or `zsh`. */
  shell?: ShellName
  description?: string
  /** Give the task a stdin channel that `write` feeds; default false (stdin is /dev/null). */
  stdin?: boolean
  /**
   * Return only once the task is ready: `{ pattern }` seen in its output, `{ port }` accepting TCP
   * connections on localhost, or `{ url }` answering HTTP with a status below 500. It also
   * returns as soon as the task ends, prints `failOn`, or `readyTimeoutMs` passes; `ready.reason` tells.
   */
  readyWhen?: ReadyWhen
  /** With `readyWhen`: a pattern in the output that means the start failed. */
  failOn?: RegExp
  /** With `readyWhen`: how long to wait for readiness; default 60 s. The task keeps running after. */
  readyTimeoutMs?: number
}

/** What `spawn` returns: the task's record, and with `readyWhen`, how the wait for readiness ended. */
export type SpawnedTask = TaskRecord & { ready?: ReadyResult }

export interface ReadOptions {
  /** Absolute byte offset to start at; default: the start (or the tail when `tailLines` is set). */
  offset?: number
  /** Most bytes returned; default 64 KiB. */
  maxBytes?: number
  /** Return (at most) the last N lines. */
  tailLines?: number
  /** Return (at most) the first N lines. */
  headLines?: number
  /** Only the lines matching this (like `grep -n -C`), scanning from `offset` (default the start). */
  grep?: RegExp
  /** With `grep`: lines shown before and after each match; default 2. */
  contextLines?: number
  /** With `grep`: stop after this many matching lines; default 50. */
  maxMatches?: number
  /** With `grep`: match the bytes as written instead of the text with ANSI escapes stripped. */
  raw?: boolean
  /**
   * Read on from where this reader last stopped ("new since my last read") and move its cursor to
   * `nextOffset`. Cursors are kept in the store, so they outlive the manager.
   */
  fromCursor?: boolean
  /** Whose cursor `fromCursor` uses; default the manager's session id. */
  reader?: string
}

/** A line found by a `read` with `grep`. */
export interface GrepMatch {
  /** Line number counted from where the scan began (1 = the first line at `offset`). */
  lineNumber: number
  /** Absolute byte offset of the start of the line. */
  offset: number
  line: string
}

export interface ReadResult {
  /** The bytes read, decoded as UTF-8 (a byte that is not valid UTF-8 reads as U+FFFD). */
  text: string
  /**
   * The log's bytes from `offset`, exactly as written: `text` is their decoding. They end at
   * `nextOffset`, or before it when the read stopped at bytes the disk cap dropped. Not with `grep`.
   */
  bytes?: Buffer
  /** Absolute offset of the first byte of `text`. */
  offset: number
  /** Absolute offset to pass next time to continue. */
  nextOffset: number
  totalBytes: number
  droppedBytes: number
  /** True when the read reached the end of what is written so far. */
  eof: boolean
  status: TaskStatus
  /** With `grep`: the matching lines (`text` holds them with their context). */
  matches?: GrepMatch[]
  /** With `grep`: the scan stopped early at `maxMatches` or `maxBytes`; `nextOffset` continues it. */
  truncated?: boolean
}

export interface Logger {
  debug?(message: string, data?: Record<string, unknown>): void
  warn?(message: string, data?: Record<string, unknown>): void
  error?(message: string, data?: Record<string, unknown>): void
}
