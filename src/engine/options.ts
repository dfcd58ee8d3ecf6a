import type { TaskIdStyle } from '../store/paths.js'
import type { Completion, Logger, LongRunningNotice, TaskRecord, TaskStatus } from '../types.js'

/** Options of `openTaskManager`. Times in ms, sizes in bytes. */
export interface TaskManagerOptions {
  /** Store root; default `$BGBASH_HOME`, `$XDG_STATE_HOME/bgbash`, `~/.local/state/bgbash`. */
  home?: string
  /**
   * Owner of the tasks this manager starts: the only one owed their completions. Default
   * `$BGBASH_SESSION`, else `project:<project root>`.
   */
  sessionId?: string
  /**
   * The project: the scope of visibility (any client of the project may read, wait for and kill
   * its tasks) and the default cwd of tasks. Default: the git repository around the process's
   * cwd, else that cwd (tasks then default to the cwd itself).
   */
  projectRoot?: string
  /**
   * The directory the client works in: tasks' default cwd, and (without `projectRoot`) where the
   * project is found. Default `projectRoot`, else the process's cwd.
   */
  cwd?: string
  /**
   * Make this manager process its own owner, for a client process (an MCP server started without
   * a session): when it is gone, the next manager of the same client in the project inherits what
   * it was owed. `openTaskManager` fills in the owner id; `sessionId` must not be given with it.
   */
  client?: { pid: number; startTime: number }
  /**
   * Open without writing anything: no project directory is created, no task is adopted, ended or
   * killed at start-up (reads, waits and listings only; `spawn` is refused). For commands that only look.
   */
  readOnly?: boolean
  /** Running tasks allowed in the session at once; default 32. */
  maxRunning?: number
  /** Time between SIGTERM and SIGKILL on a kill; default 2000. */
  killGraceMs?: number
  /** Disk cap of each task's log while it runs; default 100 MiB. */
  outputCapBytes?: number
  /** Interval of `long_running` notices; default 10 min. */
  longRunningMs?: number
  /**
   * How a completion's preview tells the client to read what it left out, for a task id; default
   * names MCP's `bash_output` and the CLI's `bgbash logs`. A face whose client has neither says its own.
   */
  readHint?: (taskId: string) => string
  /**
   * Whether completion previews write the paths under a task's directory relative to it, when
   * that directory is its project's root (`/repo/test/a.js:3` → `test/a.js:3`, as most tools print
   * them); default false: the output's own text.
   */
  relativePaths?: boolean
  /**
   * Whether completion previews leave out the lines that say how a test runner ran (TAP's YAML
   * fences and timings, node:test's zero counts), folding the tests around them; default false.
   */
  terseViews?: boolean
  /**
   * The form of the ids of tasks this manager starts: `bgbash` (`bgb-1a2b3c4d`, the default) or
   * `aft` (`bash-` + 16 hex digits, what AFT's harness plugins check for). Either form is read.
   */
  taskIdStyle?: TaskIdStyle
  /**
   * Have bash record the exit code of each stage of a command that is one pipeline (a | b | c), so
   * a failure upstream of a last stage that succeeded shows (TaskRecord.pipelineStatus). Default false.
   */
  capturePipelineStatus?: boolean
  /** Retention of ended tasks: delivered ones (default 24 h), undelivered ones (default 7 days). */
  retention?: { deliveredMs?: number; undeliveredMs?: number }
  /** Run garbage collection in the background at most once a minute; default true. */
  backgroundGc?: boolean
  logger?: Logger
}

export interface ListOptions {
  /**
   * Whose tasks: `mine` (started by this owner, or inherited by it; the default), `project` (every
   * task of the project), `all` (every project in the store).
   */
  scope?: ListScope
  /** Same as `scope: 'all'` (kept from the previous API). */
  allSessions?: boolean
  /**
   * Also the tasks whose end was answered inline (a foreground call that waited for them); they
   * are left out of a listing without `status` by default.
   */
  includeAnswered?: boolean
  /** Only tasks with this status (or one of these). */
  status?: TaskStatus | TaskStatus[]
}

export interface KillOptions {
  /** Time between SIGTERM and SIGKILL; default the manager's `killGraceMs`. */
  graceMs?: number
  /** Who asked, written to the record as `killedBy`; default `api`. */
  by?: string
  allSessions?: boolean
}

export interface WaitOptions {
  /** Give up after this long and return the records as they are; default: wait as long as it takes. */
  timeoutMs?: number
  allSessions?: boolean
}

export interface AckOptions {
  /**
   * The caller showed the task's whole end in the reply to the call that started it (a foreground
   * call answered inline): besides being delivered, it is kept 1 h instead of 24 h and left out of
   * default listings (`list` without a `status`, unless `includeAnswered`).
   */
  answeredInline?: boolean
}

/** Whose tasks a listing shows. */
export type ListScope = 'mine' | 'project' | 'all'

export interface GcOptions {
  /** Every project in the store, not just this manager's. */
  allProjects?: boolean
  /** Remove every ended task older than this, instead of the retention rules. */
  olderThanMs?: number
  dryRun?: boolean
  /** Clock for the age check; default now. */
  now?: number
}

export interface GcResult {
  removed: string[]
}

export interface TaskManagerEvents {
  completion: [Completion]
  long_running: [LongRunningNotice]
  task_ended: [TaskRecord]
}
