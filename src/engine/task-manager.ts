import type { ChildProcess } from 'node:child_process'
import { EventEmitter } from 'node:events'
import fs from 'node:fs'
import {
  DEFAULT_KILL_GRACE_MS,
  DEFAULT_LONG_RUNNING_MS,
  DEFAULT_MAX_RUNNING,
  DEFAULT_OUTPUT_CAP_BYTES,
  GC_INTERVAL_MS,
  INLINE_COMMAND_MAX_BYTES,
  LIVENESS_SWEEP_MS,
  RETENTION_DELIVERED_MS,
  RETENTION_UNDELIVERED_MS,
  SCHEMA_VERSION,
  TASK_ENV_VAR,
} from '../constants.js'
import { BgbashError, storageError } from '../errors.js'
import { killTree } from '../proc/kill.js'
import { isProcessAlive, pidExists, readProcStat } from '../proc/procfs.js'
import { resolveShell } from '../proc/shell.js'
import { makeFifo, sourceCommand, spawnWrapper } from '../proc/spawn.js'
import {
  collectLeftovers,
  collectTaskProcesses,
  findWrapper,
  ProcessSnapshot,
  type TaskRoot,
} from '../proc/tree.js'
import { advanceCursor } from '../store/cursors.js'
import { exists } from '../store/fsx.js'
import { readDiskUsage } from '../store/output-log.js'
import { assertTaskId, isTaskId, type TaskPaths } from '../store/paths.js'
import {
  buildTaskRecord,
  claimDelivery,
  createEndInfo,
  createKillInfo,
  type EndInfo,
  getDroppedBytes,
  isDelivered,
  type KillInfo,
  markPromoted,
  type PidInfo,
  readDroppedInfo,
  readEndInfo,
  readExitCode,
  readExitRecord,
  readKillInfo,
  readOutputSize,
  readPidInfo,
  readTaskMeta,
  type TaskMeta,
  writeCommandFile,
  writePidInfo,
  writeTaskMeta,
} from '../store/records.js'
import type { TaskFiles, TaskStore } from '../store/task-store.js'
import type {
  Completion,
  KillReason,
  LeftoverProcess,
  Logger,
  LongRunningNotice,
  ReadOptions,
  ReadResult,
  SpawnedTask,
  SpawnOptions,
  TaskRecord,
  TaskStatus,
} from '../types.js'
import { TERMINAL_STATUSES } from '../types.js'
import { watchDirectory } from '../watch/dir-watcher.js'
import { planRecovery } from '../watch/recovery.js'
import { buildCompletion } from './completion.js'
import { filterLiveLeftovers, killLeftovers, recordLeftovers } from './leftovers.js'
import { decideOutcome, type EndFacts } from './outcome.js'
import { MAX_WATCHES_PER_TASK, type OutputWatchEvent, OutputWatches } from './output-watches.js'
import { type Owner, type Relation, relationOf } from './ownership.js'
import { readTask } from './read.js'
import { checkPortFree, checkReadyOptions, waitUntilReady } from './ready.js'
import type { ProjectScope } from './scope.js'
import { writeStdin } from './stdin.js'
import { type ValidSpawn, validateSpawn } from './validate.js'
import { viewUnwatched } from './view-record.js'
import { type WaitForOptions, type WaitForResult, type WaitTarget, waitForTasks } from './wait-for.js'
import { type OutputWaitReason, type WaitForOutputOptions, waitForLogGrowth } from './wait-output.js'

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

/** One task this manager is watching until it ends. */
interface Watched {
  paths: TaskPaths
  meta: TaskMeta
  pid: PidInfo | undefined
  child: ChildProcess | undefined
  /** The signal that ended the owned wrapper, seen while a kill was under way. */
  wrapperSignal: string | null | undefined
  closeWatch: () => void
  deadline: NodeJS.Timeout | undefined
  reminder: NodeJS.Timeout | undefined
  /** Ends the task from its exit code if the log has not drained by then (see COMMAND_EXIT_DRAIN_MS). */
  drainTimer: NodeJS.Timeout | undefined
  /** The task ended but the store refused its record (disk full, read-only): the sweep retries. */
  pendingEnd: EndFacts | undefined
}

type Waiter = (record: TaskRecord) => void

/**
 * How long after its command exited a task may wait for its output to drain (`drained` in `exit`).
 * That takes a millisecond, unless a process the command left running still holds the pipe
 * (`server &`): then the task ends from the exit code alone, and that process is reported as
 * left over.
 */
const COMMAND_EXIT_DRAIN_MS = 250

/**
 * How long a task whose command left nothing running waits for `drained` in all: only the relay
 * can hold the pipe then, still copying on a machine too busy to run it.
 */
const COMMAND_EXIT_DRAIN_MAX_MS = 10_000

/** How far past its cap a log may grow before the task is killed: the relay could not trim it. */
const CAP_SLACK_BYTES = 1024 * 1024

/** Tasks that end within this window share one scan for leftover processes. */
const LEFTOVER_SCAN_DELAY_MS = 20
/** Every how many liveness sweeps /proc is read (start time and zombie state), not just kill(pid, 0). */
const THOROUGH_SWEEP_EVERY = 8

export interface TaskManagerEvents {
  completion: [Completion]
  long_running: [LongRunningNotice]
  task_ended: [TaskRecord]
}

/**
 * The engine: starts, watches, kills and reports the tasks of one session on one store.
 * Several managers may share a store and a session; the store keeps their results consistent.
 * An open manager keeps the process alive (it watches files); call `close()` when done.
 */
export class TaskManager extends EventEmitter<TaskManagerEvents> {
  /** The owner this manager acts for. */
  readonly sessionId: string
  /** The project whose tasks this manager sees. */
  readonly projectRoot: string
  readonly storeRoot: string
  private readonly store: TaskStore
  private readonly owner: Owner
  private readonly scope: ProjectScope
  private readonly defaultCwd: string
  private readonly readOnly: boolean
  private maxRunning: number
  private readonly killGraceMs: number
  private readonly outputCapBytes: number
  private longRunningMs: number
  private readonly retentionDeliveredMs: number
  private readonly retentionUndeliveredMs: number
  private readonly logger: Logger
  private readonly selfStartTime: number
  private readonly watched = new Map<string, Watched>()
  private readonly waiters = new Map<string, Waiter[]>()
  /** Ended tasks of this session whose completion may still be owed. */
  private readonly owed = new Set<string>()
  private readonly timers: NodeJS.Timeout[] = []
  private readonly outputWatches = new OutputWatches()
  private readonly completionCache = new Map<string, Completion>()
  /** Tasks owed here that this manager inherited from its client's previous one (see ownership.ts). */
  private readonly inherited = new Set<string>()
  private readonly leftoverQueue: Array<{ paths: TaskPaths; meta: TaskMeta; pid: PidInfo }> = []
  /** Deadlines of ended tasks whose leftover processes still run (see armLeftoverDeadline). */
  private readonly leftoverDeadlines = new Map<string, NodeJS.Timeout>()
  /** Kills under way in this manager, by task, watched or not (a kill may outrun the watch). */
  private readonly kills = new Map<string, Promise<TaskRecord>>()
  /** Liveness sweeps so far (every THOROUGH_SWEEP_EVERY-th reads /proc). */
  private sweeps = 0
  private closeSessionWatch: () => void = () => {}
  private closed = false

  /** Use `openTaskManager`. */
  constructor(
    store: TaskStore,
    owner: Owner,
    scope: ProjectScope,
    defaultCwd: string,
    options: TaskManagerOptions,
  ) {
    super()
    this.store = store
    this.storeRoot = store.root
    this.owner = owner
    this.sessionId = owner.sessionId
    this.scope = scope
    this.projectRoot = scope.root
    this.defaultCwd = defaultCwd
    this.readOnly = options.readOnly === true
    this.maxRunning = options.maxRunning ?? DEFAULT_MAX_RUNNING
    this.killGraceMs = options.killGraceMs ?? DEFAULT_KILL_GRACE_MS
    this.outputCapBytes = options.outputCapBytes ?? DEFAULT_OUTPUT_CAP_BYTES
    this.longRunningMs = options.longRunningMs ?? DEFAULT_LONG_RUNNING_MS
    this.retentionDeliveredMs = options.retention?.deliveredMs ?? RETENTION_DELIVERED_MS
    this.retentionUndeliveredMs = options.retention?.undeliveredMs ?? RETENTION_UNDELIVERED_MS
    this.logger = options.logger ?? {}
    this.selfStartTime = readProcStat(process.pid)?.startTime ?? 0
  }

  /**
   * Reconciles the project's tasks (every owner's: deadlines and ends are any manager's duty) and
   * starts watching; called once by `openTaskManager`, never for a read-only manager.
   */
  start(options: TaskManagerOptions): void {
    for (const paths of this.scope.listTasks()) this.noticeTask(paths.taskId)
    this.closeSessionWatch = watchDirectory(
      this.scope.dir,
      (name) => {
        if (isTaskId(name) && !this.watched.has(name)) this.noticeTask(name)
      },
      (error) => this.logger.warn?.('session watch failed', { error: String(error) }),
    )
    this.timers.push(setInterval(() => this.sweep(), LIVENESS_SWEEP_MS))
    if (options.backgroundGc !== false) {
      const gc = setInterval(() => {
        this.gc().catch((error) => this.logger.warn?.('background gc failed', { error: String(error) }))
      }, GC_INTERVAL_MS)
      gc.unref()
      this.timers.push(gc)
    }
    // Completions owed from before this manager opened go to 'completion' listeners attached right after open.
    setImmediate(() => this.deliverOwed())
  }

  // ── spawning ────────────────────────────────────────────────────────────────────────────────

  /**
   * Starts a command in the background; resolves once it runs, with its record. With `readyWhen`
   * it resolves once the task is ready (a pattern in its output, a port accepting, a URL
   * answering), or has ended, printed `failOn`, or run out of `readyTimeoutMs`; `ready` says which.
   */
  async spawn(options: SpawnOptions): Promise<SpawnedTask> {
    this.assertOpen()
    if (this.readOnly) {
      throw new BgbashError(
        'invalid_request',
        'This manager is read-only: open one without readOnly to spawn.',
      )
    }
    const ready = options && typeof options === 'object' ? checkReadyOptions(options) : undefined
    const valid = validateSpawn(options, this.defaultCwd)
    if (!ready) return this.startTask(valid)
    await checkPortFree(ready.readyWhen)
    const record = await this.startTask(valid)
    const result = await waitUntilReady(ready, record.startedAt ?? record.createdAt, (waitOptions) =>
      this.waitFor([record.taskId], waitOptions),
    )
    return { ...(await this.status(record.taskId)), ready: result }
  }

  private async startTask(valid: ValidSpawn): Promise<TaskRecord> {
    const shellPath = resolveShell(valid.shell)
    this.checkRunningLimit()
    const isLongCommand = Buffer.byteLength(valid.command) > INLINE_COMMAND_MAX_BYTES
    const { taskId, paths } = this.store.createTaskDir(this.scope.dir)
    const meta: TaskMeta = {
      schemaVersion: SCHEMA_VERSION,
      taskId,
      sessionId: this.sessionId,
      command: valid.command,
      shell: shellPath,
      cwd: valid.cwd,
      env: valid.env,
      timeoutMs: valid.timeoutMs,
      notify: valid.notify,
      stdin: valid.stdin,
      description: valid.description,
      createdAt: Date.now(),
      createdBy: process.pid,
      createdByStart: this.selfStartTime,
      outputCapBytes: this.outputCapBytes,
      projectRoot: this.scope.root,
      client: this.owner.client,
    }
    try {
      writeTaskMeta(paths, meta)
      if (isLongCommand) writeCommandFile(paths, valid.command)
      if (valid.stdin) makeFifo(paths.stdin)
    } catch (error) {
      this.store.removeTask(paths)
      throw error instanceof BgbashError ? error : storageError('prepare task directory', paths.dir, error)
    }
    let child: ChildProcess | undefined
    let spawnError: unknown
    // Taken before the process exists, so a fast task never seems to end before it started.
    const startedAt = Date.now()
    try {
      child = spawnWrapper({
        shellPath,
        command: isLongCommand ? sourceCommand(paths.command) : valid.command,
        cwd: valid.cwd,
        env: { ...process.env, ...valid.env, [TASK_ENV_VAR]: taskId },
        logPath: paths.output,
        exitPath: paths.exit,
        droppedPath: paths.dropped,
        capBytes: this.outputCapBytes,
        startedAt,
        stdinPath: valid.stdin ? paths.stdin : undefined,
      })
      child.on('error', (error) => this.logger.warn?.('task process error', { taskId, error: String(error) }))
    } catch (error) {
      spawnError = error
    }
    const stat = child?.pid === undefined ? undefined : readProcStat(child.pid)
    if (!child || child.pid === undefined || !stat) {
      const reason = String((spawnError as Error)?.message ?? 'the process did not start')
      this.endTask(paths, { exitCode: undefined, kill: undefined, spawnError: reason }, { deliver: false })
      claimDelivery(paths, this.managerName())
      throw new BgbashError(
        'spawn_failed',
        `Could not start the command: ${reason}. ${
          (spawnError as NodeJS.ErrnoException)?.code === 'E2BIG'
            ? 'Its environment is too large for one program (Linux takes about 2 MiB of arguments and environment together): pass less env.'
            : 'Check the shell and cwd.'
        }`,
        {
          data: { taskId },
          cause: spawnError,
        },
      )
    }
    const pid: PidInfo = {
      pid: child.pid,
      pgid: child.pid,
      startTime: stat.startTime,
      spawnedBy: process.pid,
      startedAt,
    }
    // The wrapper records its own pid (pid.json) as it starts; until then this manager knows it.
    this.watch(paths, meta, pid, child, { deferWatch: true })
    return this.toRecord(paths, meta, pid)
  }

  /** Counts this owner's running tasks only: a task watched for another owner is not one of them. */
  private checkRunningLimit(): void {
    const running = [...this.watched.values()].filter((task) => task.meta.sessionId === this.sessionId)
    if (running.length < this.maxRunning) return
    const now = Date.now()
    const lines = running.map(
      (task) =>
        `${task.meta.taskId} (${Math.round((now - (task.pid?.startedAt ?? task.meta.createdAt)) / 1000)}s) ${task.meta.command.slice(0, 80)}`,
    )
    throw new BgbashError(
      'limit_exceeded',
      `Running task limit reached: ${running.length} of ${this.maxRunning} in this session. Wait for or kill one of: ${lines.join('; ')}.`,
      { data: { running: running.map((task) => task.meta.taskId), limit: this.maxRunning } },
    )
  }

  // ── watching ────────────────────────────────────────────────────────────────────────────────

  /** Looks at a task of this project found on disk (at start-up or when another manager made it). */
  private noticeTask(taskId: string): void {
    const paths = this.scope.locate(taskId)
    if (!paths) {
      // Another manager is creating it: its task.json has not landed yet. Watch for it.
      this.watchPendingDir(taskId)
      return
    }
    const files = this.readTaskFiles(paths)
    if (!files) return
    if (files.end) {
      if (files.meta.notify && !files.delivered && this.relationTo(files.meta) !== 'other')
        this.owed.add(taskId)
      if (files.pid && filterLiveLeftovers(files.leftovers))
        this.armLeftoverDeadline(paths, files.meta, files.pid)
      return
    }
    this.recover(files, true)
  }

  private watchPendingDir(taskId: string): void {
    const dir = `${this.scope.dir}/${taskId}`
    const close = watchDirectory(
      dir,
      (name) => {
        if (name !== 'task.json') return
        close()
        this.noticeTask(taskId)
      },
      () => {},
    )
    // The directory may have been completed between the listing and the watch.
    if (fs.existsSync(`${dir}/task.json`)) {
      close()
      if (this.scope.locate(taskId)) this.noticeTask(taskId)
    }
  }

  /**
   * Brings a task without a terminal record to the right state: finishes it if it ended, kills it
   * if overdue or a kill was cut short, and (when `adopt`) watches it if it still runs.
   */
  private recover(files: TaskFiles, adopt: boolean): void {
    const { paths, meta, kill } = files
    const isCreatorAlive = isCreatorRunning(meta)
    const pid = files.pid ?? (isCreatorAlive ? undefined : this.recordFoundWrapper(paths, meta))
    const isAlive = pid ? isProcessAlive(pid.pid, pid.startTime) : false
    const exitCode = readSettledExitCode(paths, isAlive)
    const startedAt = pid?.startedAt ?? meta.createdAt
    const isOverdue = meta.timeoutMs > 0 && Date.now() >= startedAt + meta.timeoutMs
    const plan = planRecovery({
      hasPid: !!pid,
      exitCode,
      isAlive,
      isKilling: !!kill,
      isCreatorAlive,
      isOverdue,
    })
    switch (plan) {
      case 'finish_spawn_aborted':
        this.endTask(paths, {
          exitCode: undefined,
          kill: undefined,
          spawnError: 'spawn aborted: its manager exited before the task started',
        })
        return
      case 'finish_killed':
        // The manager that started this kill is still in it and will record the signal that ended
        // the task; finishing it here would have to guess one (SIGKILL). The next sweep looks again.
        if (exitCode === undefined && (this.kills.has(meta.taskId) || isKillerAtWork(kill))) return
        this.endTask(paths, { exitCode, kill }, { foundLate: true })
        return
      case 'finish_from_exit':
      case 'finish_lost':
        this.endTask(paths, { exitCode, kill }, { foundLate: true })
        return
      case 'wait_for_spawn':
      case 'adopt':
        if (adopt) this.watch(paths, meta, pid, undefined)
        return
      case 'kill_overdue':
      case 'continue_kill':
        if (adopt) this.watch(paths, meta, pid, undefined)
        this.startKill(paths, kill?.reason ?? 'timeout', kill?.by ?? 'deadline', this.killGraceMs).catch(
          (error) => this.logger.warn?.('kill failed', { taskId: meta.taskId, error: String(error) }),
        )
        return
    }
  }

  /**
   * A task whose manager died before its wrapper recorded its pid (a moment after the spawn, or
   * never where /proc could not be read): its wrapper, if it runs, is found by the task id in its
   * environment, and recorded here so the task is adopted, not taken for a spawn cut short.
   */
  private recordFoundWrapper(paths: TaskPaths, meta: TaskMeta): PidInfo | undefined {
    const wrapper = findWrapper(meta.taskId)
    if (!wrapper) return undefined
    const pid: PidInfo = {
      pid: wrapper.pid,
      pgid: wrapper.pgrp,
      startTime: wrapper.startTime,
      spawnedBy: meta.createdBy,
      startedAt: meta.createdAt,
    }
    try {
      writePidInfo(paths, pid)
    } catch (error) {
      // Watched from memory all the same; the next manager finds the wrapper again.
      this.logger.warn?.('could not record a found wrapper', { taskId: meta.taskId, error: String(error) })
    }
    return pid
  }

  /**
   * Starts watching a task. With `deferWatch` (a task this manager has just spawned) the file
   * watch starts once the current turn of the event loop is over, after the spawn's reply has
   * gone out: the look at the task's files that follows it catches whatever happened before.
   */
  private watch(
    paths: TaskPaths,
    meta: TaskMeta,
    pid: PidInfo | undefined,
    child: ChildProcess | undefined,
    options: { deferWatch?: boolean } = {},
  ): void {
    if (this.watched.has(meta.taskId) || this.closed) return
    const task: Watched = {
      paths,
      meta,
      pid,
      child,
      wrapperSignal: undefined,
      closeWatch: () => {},
      deadline: undefined,
      reminder: undefined,
      drainTimer: undefined,
      pendingEnd: undefined,
    }
    this.watched.set(meta.taskId, task)
    if (child) {
      child.on('exit', (_code, signal) => {
        if (this.kills.has(meta.taskId)) task.wrapperSignal = signal
        else
          this.endWatched(task, {
            exitCode: readExitCode(paths) ?? undefinedIfSignal(_code, signal),
            kill: readKillInfo(paths),
            wrapperSignal: signal,
          })
      })
    }
    if (pid) this.armTimers(task)
    if (options.deferWatch) setImmediate(() => this.watchFiles(task))
    else this.watchFiles(task)
  }

  private watchFiles(task: Watched): void {
    if (this.watched.get(task.meta.taskId) !== task) return
    const { taskId } = task.meta
    task.closeWatch = watchDirectory(
      task.paths.dir,
      (name) => {
        try {
          this.onTaskFile(task, name)
        } catch (error) {
          // A store that refuses writes must not crash the manager; the sweep retries the end.
          this.logger.warn?.('task event failed', { taskId, error: String(error) })
        }
      },
      (error) => this.logger.warn?.('task watch failed', { taskId, error: String(error) }),
    )
    // The exit record may have landed between the look that chose to watch and the watch itself:
    // no event will come for it. Drained: the task has ended. Code only: the log may never drain
    // (a process holds the pipe).
    if (this.onExitRecord(task)) return
    // Output written before the watch started still counts against the cap.
    this.checkOutputCap(task)
  }

  private armTimers(task: Watched): void {
    const startedAt = task.pid?.startedAt ?? task.meta.createdAt
    if (task.meta.timeoutMs > 0 && !task.deadline) {
      const remaining = Math.max(0, startedAt + task.meta.timeoutMs - Date.now())
      task.deadline = setTimeout(() => {
        this.startKill(task.paths, 'timeout', 'deadline', this.killGraceMs).catch((error) =>
          this.logger.warn?.('timeout kill failed', { taskId: task.meta.taskId, error: String(error) }),
        )
      }, remaining)
    }
    // Reminders are for the owner: another client's task is watched here for its deadline only.
    if (this.longRunningMs > 0 && !task.reminder && this.relationTo(task.meta) !== 'other') {
      const interval = this.longRunningMs
      // The next multiple of the interval since the start. A timer can fire a little before
      // Date.now() says it is due (Node measures from the loop's cached time), so it is checked
      // against the wall clock and re-armed for the rest: a notice never says less than promised.
      let due = startedAt + (Math.floor((Date.now() - startedAt) / interval) + 1) * interval
      const remind = () => {
        const now = Date.now()
        if (now < due) {
          task.reminder = setTimeout(remind, due - now)
          return
        }
        this.emit('long_running', {
          taskId: task.meta.taskId,
          sessionId: task.meta.sessionId,
          command: task.meta.command,
          elapsedMs: now - startedAt,
        })
        due += interval * Math.max(1, Math.ceil((now - due) / interval))
        task.reminder = setTimeout(remind, due - now)
      }
      task.reminder = setTimeout(remind, due - Date.now())
    }
  }

  private onTaskFile(task: Watched, name: string): void {
    if (this.watched.get(task.meta.taskId) !== task) return
    switch (name) {
      case 'output.log':
        this.checkOutputCap(task)
        return
      case 'exit':
        this.onExitRecord(task)
        return
      case 'end.json':
        this.endTask(task.paths, { exitCode: undefined, kill: undefined })
        return
      case 'pid.json':
        if (!task.pid) {
          task.pid = readPidInfo(task.paths)
          if (task.pid) this.armTimers(task)
        }
        return
    }
  }

  /**
   * Ends a watched task from an event. When the store refuses the record (disk full, read-only)
   * the task stays watched and the sweep retries with the same facts once it takes writes again.
   */
  private endWatched(task: Watched, facts: EndFacts): void {
    try {
      this.endTask(task.paths, facts)
      task.pendingEnd = undefined
    } catch (error) {
      task.pendingEnd = facts
      this.logger.warn?.('could not record the end of a task; will retry', {
        taskId: task.meta.taskId,
        error: String(error),
      })
    }
  }

  /** Sweeps adopted tasks for processes that died without writing their exit code. */
  private sweep(): void {
    try {
      // Completions whose delivery mark the store refused earlier.
      if (this.owed.size > 0) this.deliverOwed()
    } catch (error) {
      this.logger.warn?.('could not deliver owed completions', { error: String(error) })
    }
    // Most sweeps only ask the kernel whether each pid exists (one syscall, ~1 µs); every
    // THOROUGH_SWEEP_EVERY-th (12 s) reads /proc to also catch a zombie or a reused pid. 1000 adopted
    // tasks cost 13 ms per /proc sweep, 0.8 % of a core if every sweep read it.
    const isThorough = ++this.sweeps % THOROUGH_SWEEP_EVERY === 0
    for (const task of [...this.watched.values()]) {
      try {
        this.sweepTask(task, isThorough)
      } catch (error) {
        // The store refuses reads or writes right now; the next sweep tries again.
        this.logger.warn?.('liveness sweep failed', { taskId: task.meta.taskId, error: String(error) })
      }
    }
  }

  private sweepTask(task: Watched, isThorough = true): void {
    if (task.pendingEnd) {
      this.endWatched(task, task.pendingEnd)
      return
    }
    if (task.child || this.kills.has(task.meta.taskId)) return
    // The records are read only when the process seems gone.
    if (task.pid && (isThorough ? isProcessAlive(task.pid.pid, task.pid.startTime) : pidExists(task.pid.pid)))
      return
    const files = this.readTaskFiles(task.paths)
    if (!files) {
      this.unwatch(task)
      return
    }
    if (files.end || !files.pid || !isProcessAlive(files.pid.pid, files.pid.startTime))
      this.recover(files, false)
    else task.pid = files.pid
  }

  /**
   * Acts on the exit record (unless a kill of this manager will end the task): `drained` ends the
   * task; a code alone waits for the drain. True when the task ended.
   */
  private onExitRecord(task: Watched): boolean {
    const exit = readExitRecord(task.paths)
    if (!exit || this.kills.has(task.meta.taskId)) return false
    if (!exit.drained) {
      this.waitForDrain(task)
      return false
    }
    this.endWatched(task, { exitCode: exit.code, kill: readKillInfo(task.paths) })
    return true
  }

  /**
   * The command has exited: its code is on the first line of `exit`. The wrapper adds `drained`
   * as soon as the relay has emptied the pipe, which normally comes at once. If it has not come
   * within COMMAND_EXIT_DRAIN_MS and a process the command left running may hold the pipe, the
   * task ends now, from the code. With none left, the relay is only slow (a busy machine): the
   * task waits on, up to COMMAND_EXIT_DRAIN_MAX_MS, so its completion has the last of the output.
   */
  private waitForDrain(task: Watched, since = Date.now()): void {
    if (task.drainTimer || this.kills.has(task.meta.taskId)) return
    task.drainTimer = setTimeout(() => {
      task.drainTimer = undefined
      if (this.watched.get(task.meta.taskId) !== task || this.kills.has(task.meta.taskId)) return
      const exitCode = readExitCode(task.paths)
      if (exitCode === undefined) return
      const isOnlyRelayLeft =
        task.pid !== undefined && collectLeftovers(this.rootOf(task.meta.taskId, task.pid)).length === 0
      if (isOnlyRelayLeft && Date.now() - since < COMMAND_EXIT_DRAIN_MAX_MS) this.waitForDrain(task, since)
      else this.endWatched(task, { exitCode, kill: readKillInfo(task.paths) })
    }, COMMAND_EXIT_DRAIN_MS)
  }

  /**
   * The task's relay keeps its log under the cap (src/proc/spawn.ts). Where the file system cannot
   * punch holes it stops trimming; a log that grows well past its cap then gets the task killed.
   */
  private checkOutputCap(task: Watched): void {
    const cap = task.meta.outputCapBytes ?? this.outputCapBytes
    if (cap === 0 || this.kills.has(task.meta.taskId) || readDiskUsage(task.paths) <= cap + CAP_SLACK_BYTES)
      return
    this.startKill(task.paths, 'output_cap', 'output_cap', this.killGraceMs).catch((error) =>
      this.logger.warn?.('output cap kill failed', { taskId: task.meta.taskId, error: String(error) }),
    )
  }

  private unwatch(task: Watched): void {
    if (this.watched.get(task.meta.taskId) === task) this.watched.delete(task.meta.taskId)
    task.closeWatch()
    clearTimeout(task.deadline)
    clearTimeout(task.reminder)
    clearTimeout(task.drainTimer)
    task.child?.removeAllListeners('exit')
    task.child?.unref()
  }

  // ── ending ──────────────────────────────────────────────────────────────────────────────────

  /**
   * Writes the terminal record of a task (first writer wins), stops watching it and tells
   * waiters and listeners. Synchronous, so two events of one manager never interleave here.
   */
  private endTask(
    paths: TaskPaths,
    facts: EndFacts,
    options: { deliver?: boolean; foundLate?: boolean } = {},
  ): TaskRecord | undefined {
    const meta = readTaskMeta(paths)
    if (!meta) return undefined
    const pid = readPidInfo(paths)
    let end = readEndInfo(paths)
    let leftovers: LeftoverProcess[] | undefined
    if (!end) {
      const outcome = decideOutcome(facts)
      const now = Date.now()
      const startedAt = pid?.startedAt ?? meta.createdAt
      // A task found ended after the fact ended when its exit code was written, not now. File
      // times are coarse (a kernel tick), so never before it started.
      const exitTime = options.foundLate && facts.exitCode !== undefined ? readMtime(paths.exit) : undefined
      const finishedAt = Math.max(startedAt, exitTime ?? now)
      const dropped = readDroppedInfo(paths)
      const info: EndInfo = {
        ...outcome,
        finishedAt,
        durationMs: Math.max(0, finishedAt - startedAt),
        outputBytes: readOutputSize(paths),
        droppedBytes: getDroppedBytes(dropped),
      }
      const isFirst = createEndInfo(paths, info)
      end = isFirst ? info : readEndInfo(paths)
      if (!end) return undefined
      // Only the shell exited on its own: processes it started may live on. A task that ended
      // without its output draining has one for sure (it holds the pipe): they are looked for
      // now, so its completion names them. Otherwise after the completion is out, since it takes
      // a scan of every process.
      if (isFirst && pid && (outcome.endReason === 'exit' || outcome.endReason === 'signal')) {
        if (readExitRecord(paths)?.drained === false) leftovers = this.scanLeftovers(paths, meta, pid)
        else this.queueLeftoverScan(paths, meta, pid)
      }
    }
    const task = this.watched.get(meta.taskId)
    if (task) this.unwatch(task)
    const record = buildTaskRecord(
      paths,
      meta,
      pid,
      undefined,
      end,
      false,
      { outputBytes: 0, droppedBytes: 0 },
      { leftovers },
    )
    const isOwedHere = options.deliver !== false && this.relationTo(meta) !== 'other'
    this.afterEnd(record, paths, isOwedHere)
    return record
  }

  /**
   * Looks for processes that outlived their task's shell, for every task that ended in the last
   * LEFTOVER_SCAN_DELAY_MS at once: one scan of every process (about 2 ms here) serves them all.
   */
  private queueLeftoverScan(paths: TaskPaths, meta: TaskMeta, pid: PidInfo): void {
    this.leftoverQueue.push({ paths, meta, pid })
    if (this.leftoverQueue.length > 1) return
    const timer = setTimeout(() => {
      const queue = this.leftoverQueue.splice(0)
      const snapshot = new ProcessSnapshot()
      for (const ended of queue) this.scanLeftovers(ended.paths, ended.meta, ended.pid, snapshot)
    }, LEFTOVER_SCAN_DELAY_MS)
    timer.unref()
  }

  /** Records what an ended task left running, and holds its deadline over them. */
  private scanLeftovers(
    paths: TaskPaths,
    meta: TaskMeta,
    pid: PidInfo,
    snapshot?: ProcessSnapshot,
  ): LeftoverProcess[] | undefined {
    try {
      const leftovers = recordLeftovers(paths, this.rootOf(meta.taskId, pid), snapshot)
      if (leftovers.length > 0) this.armLeftoverDeadline(paths, meta, pid)
      return leftovers.length > 0 ? leftovers : undefined
    } catch (error) {
      this.logger.warn?.('leftover scan failed', { taskId: meta.taskId, error: String(error) })
      return undefined
    }
  }

  /**
   * The task's deadline applies to what its command left running: at the deadline they are
   * killed (the task keeps its status and exit code; the kill is noted on its record).
   */
  private armLeftoverDeadline(paths: TaskPaths, meta: TaskMeta, pid: PidInfo): void {
    if (meta.timeoutMs === 0 || this.leftoverDeadlines.has(meta.taskId) || this.closed || this.readOnly)
      return
    const remaining = Math.max(0, pid.startedAt + meta.timeoutMs - Date.now())
    const timer = setTimeout(() => {
      this.leftoverDeadlines.delete(meta.taskId)
      killLeftovers(paths, this.rootOf(meta.taskId, pid), {
        graceMs: this.killGraceMs,
        by: 'deadline',
      }).catch((error) =>
        this.logger.warn?.('leftover deadline kill failed', { taskId: meta.taskId, error: String(error) }),
      )
    }, remaining)
    this.leftoverDeadlines.set(meta.taskId, timer)
  }

  /** Tells waiters and output watches; when the task is owed here, also listeners (`deliver`). */
  private afterEnd(record: TaskRecord, paths: TaskPaths, deliver: boolean): void {
    this.outputWatches.onTaskEnd(record.taskId)
    const waiting = this.waiters.get(record.taskId)
    if (waiting) {
      this.waiters.delete(record.taskId)
      for (const resolve of waiting) resolve(record)
    }
    if (!deliver) return
    if (record.notify) this.owed.add(record.taskId)
    this.emit('task_ended', record)
    if (record.notify && this.listenerCount('completion') > 0) this.deliver(record.taskId, paths, record)
  }

  private deliverOwed(): void {
    if (this.closed || this.listenerCount('completion') === 0) return
    for (const taskId of [...this.owed]) {
      const paths = this.scope.locate(taskId)
      if (paths) this.deliver(taskId, paths)
      else this.owed.delete(taskId)
    }
  }

  /** Claims a completion and hands it to the 'completion' listeners. */
  private deliver(taskId: string, paths: TaskPaths, ended?: TaskRecord): void {
    const completion = this.claim(taskId, paths, ended)
    if (completion) this.emit('completion', completion)
  }

  /**
   * Claims the completion of an ended task (exactly one claimer wins across managers). `ended`
   * is the record just written, which saves rereading it on the exit → notice path.
   */
  private claim(taskId: string, paths: TaskPaths, ended?: TaskRecord): Completion | undefined {
    this.owed.delete(taskId)
    this.completionCache.delete(taskId)
    let record = ended
    if (!record) {
      const files = this.readTaskFiles(paths)
      if (!files?.end || files.delivered) return undefined
      record = this.recordOf(files)
    }
    if (!record.notify) return undefined
    let completion: Completion
    let isClaimed: boolean
    try {
      // Built before the claim, so a manager killed between claiming and handing out loses as
      // little as can be: the view of a long log takes milliseconds, the hand-out microseconds.
      completion = this.labelled(buildCompletion(record, paths))
      isClaimed = claimDelivery(paths, this.managerName())
    } catch (error) {
      // The store refuses the read or the mark (disk full, read-only): still owed, for a later try.
      this.owed.add(taskId)
      throw error
    }
    return isClaimed ? completion : undefined
  }

  /**
   * Claims every completion owed to this session (marking each delivered, exactly once across
   * managers) and returns them, oldest first.
   */
  async takeCompletions(): Promise<Completion[]> {
    this.assertOpen()
    const out: Completion[] = []
    for (const taskId of [...this.owed]) {
      const paths = this.scope.locate(taskId)
      const completion = paths ? this.claim(taskId, paths) : undefined
      if (!paths) this.owed.delete(taskId)
      if (completion) out.push(completion)
    }
    return out
  }

  /**
   * Completions owed to this session (or to these of its tasks), without claiming them: a peek,
   * nothing is marked delivered.
   */
  async peekCompletions(taskIds?: string[]): Promise<Completion[]> {
    this.assertOpen()
    const out: Completion[] = []
    const wanted = taskIds?.map(assertTaskId)
    for (const taskId of wanted ?? [...this.owed]) {
      if (!this.owed.has(taskId)) continue
      const completion = this.readOwedCompletion(taskId)
      if (completion) out.push(completion)
      else this.owed.delete(taskId)
    }
    return out
  }

  /**
   * The completion of an ended task of this session while it is still owed. An ended task's
   * completion never changes, so it is built once and kept until delivered; each call only checks
   * that no manager delivered it meanwhile (one lstat), since harnesses peek on every request.
   */
  private readOwedCompletion(taskId: string): Completion | undefined {
    const paths = this.scope.locate(taskId)
    if (!paths) return undefined
    let completion = this.completionCache.get(taskId)
    if (!completion) {
      const files = this.readTaskFiles(paths)
      if (!files?.end || files.delivered || !files.meta.notify) return undefined
      completion = this.labelled(buildCompletion(this.recordOf(files), paths))
      this.completionCache.set(taskId, completion)
    }
    if (isDelivered(paths) || !exists(paths.task)) {
      this.completionCache.delete(taskId)
      return undefined
    }
    return completion
  }

  /** Marks a completion inherited from this client's previous manager as such. */
  private labelled(completion: Completion): Completion {
    return this.inherited.has(completion.taskId) ? { ...completion, inherited: true } : completion
  }

  /**
   * Marks the completions of these tasks delivered (exactly once across managers); returns the
   * ids that are now delivered, whoever delivered them. Only tasks owed to this owner: another
   * owner's completion is never taken from it (those ids are left out).
   */
  async ackCompletions(taskIds: string[]): Promise<string[]> {
    this.assertOpen()
    if (!Array.isArray(taskIds))
      throw new BgbashError('invalid_request', 'Invalid task ids: pass a list of task ids.')
    const acked: string[] = []
    for (const id of taskIds.map(assertTaskId)) {
      const paths = this.scope.locate(id)
      const files = paths && this.readTaskFiles(paths)
      if (!paths || !files?.end || this.relationTo(files.meta) === 'other') continue
      this.owed.delete(id)
      if (files.delivered || claimDelivery(paths, this.managerName())) acked.push(id)
    }
    return acked
  }

  /**
   * Turns notify on for a task started without it. A task that already ended and was never
   * handed out becomes owed; returns its record.
   */
  async promote(taskId: string): Promise<TaskRecord> {
    this.assertOpen()
    const paths = this.locate(taskId)
    const files = this.readFilesOrThrow(paths)
    if (!files.meta.notify) markPromoted(paths)
    const record = this.recordOf(this.readFilesOrThrow(paths))
    if (files.end && !files.delivered && this.relationTo(files.meta) !== 'other') {
      this.owed.add(taskId)
      if (this.listenerCount('completion') > 0) this.deliver(taskId, paths)
    }
    return record
  }

  /**
   * Calls `onEvent` when `pattern` appears in a task's output (once, or every time), and, for a
   * once-watch, when the task ends without it. At most 8 watches a task; returns the watch id.
   */
  watchOutput(
    taskId: string,
    pattern: RegExp,
    options: { once?: boolean },
    onEvent: (event: OutputWatchEvent) => void,
  ): string {
    this.assertOpen()
    const paths = this.locate(taskId)
    if (!(pattern instanceof RegExp))
      throw new BgbashError('invalid_request', 'Invalid pattern: pass a RegExp.')
    if (this.outputWatches.count(paths.taskId) >= MAX_WATCHES_PER_TASK) {
      throw new BgbashError(
        'limit_exceeded',
        `Too many output watches: ${taskId} already has ${MAX_WATCHES_PER_TASK}. Remove one with unwatchOutput.`,
      )
    }
    const files = this.settle(this.readFilesOrThrow(paths))
    const watchId = this.outputWatches.add(paths, pattern, options.once !== false, onEvent)
    if (files.end) queueMicrotask(() => this.outputWatches.onTaskEnd(paths.taskId))
    else if (!this.watched.has(paths.taskId)) this.watch(paths, files.meta, files.pid, undefined)
    return watchId
  }

  /** Removes an output watch; false when there was none by that id. */
  unwatchOutput(taskId: string, watchId: string): boolean {
    return this.outputWatches.remove(assertTaskId(taskId), watchId)
  }

  /** Changes settings of an open manager: the long-running reminder interval and the running limit. */
  configure(settings: { longRunningMs?: number; maxRunning?: number }): void {
    for (const [key, value] of Object.entries(settings)) {
      if (value !== undefined && (!Number.isSafeInteger(value) || value < 0)) {
        throw new BgbashError('invalid_request', `Invalid ${key}: ${value}. Use an integer ≥ 0.`)
      }
    }
    if (settings.maxRunning !== undefined) this.maxRunning = settings.maxRunning
    if (settings.longRunningMs !== undefined && settings.longRunningMs !== this.longRunningMs) {
      this.longRunningMs = settings.longRunningMs
      for (const task of this.watched.values()) {
        clearTimeout(task.reminder)
        task.reminder = undefined
        if (task.pid) this.armTimers(task)
      }
    }
  }

  // ── killing ─────────────────────────────────────────────────────────────────────────────────

  /**
   * Kills a task and every process it started (SIGTERM, then SIGKILL after the grace) and returns
   * its terminal record. A task that already ended is returned with `alreadyFinished: true`.
   */
  async kill(taskId: string, options: KillOptions = {}): Promise<TaskRecord> {
    this.assertOpen()
    const paths = this.locate(taskId, options.allSessions)
    const grace = options.graceMs ?? this.killGraceMs
    if (!Number.isInteger(grace) || grace < 0 || grace > 60_000) {
      throw new BgbashError('invalid_request', `Invalid grace: ${grace}. Use an integer from 0 to 60000 ms.`)
    }
    return this.startKill(paths, 'user', options.by ?? 'api', grace)
  }

  /**
   * The processes a kill of this task would signal now (its group, session, descendants and any
   * process carrying its id), without signalling anything. Empty once the task has ended.
   */
  async planKill(taskId: string, options: { allSessions?: boolean } = {}): Promise<LeftoverProcess[]> {
    this.assertOpen()
    const files = this.readFilesOrThrow(this.locate(taskId, options.allSessions))
    if (!files.pid) return []
    // An ended task's processes are what its command left running (and the plumbing holding its output).
    return collectTaskProcesses(this.rootOf(files.meta.taskId, files.pid)).map((proc) => ({
      pid: proc.pid,
      command: proc.command,
    }))
  }

  private startKill(paths: TaskPaths, reason: KillReason, by: string, graceMs: number): Promise<TaskRecord> {
    const under = this.kills.get(paths.taskId)
    if (under) return under
    const killing = this.runKill(paths, reason, by, graceMs, this.watched.get(paths.taskId))
    this.kills.set(paths.taskId, killing)
    return killing.finally(() => this.kills.delete(paths.taskId))
  }

  private async runKill(
    paths: TaskPaths,
    reason: KillReason,
    by: string,
    graceMs: number,
    task: Watched | undefined,
  ): Promise<TaskRecord> {
    let files = this.readFilesOrThrow(paths)
    if (!files.end && !files.pid) {
      // Still starting: settle it (its spawner may have died) before deciding.
      this.recover(files, false)
      files = this.readFilesOrThrow(paths)
    }
    if (!files.end && readExitCode(paths) !== undefined && !files.kill) {
      this.endTask(paths, { exitCode: readExitCode(paths), kill: undefined })
      files = this.readFilesOrThrow(paths)
    }
    if (files.end) {
      // The command has ended; what it left running has not: a kill ends that, and says so.
      const killed = files.pid
        ? await killLeftovers(paths, this.rootOf(files.meta.taskId, files.pid), { graceMs, by })
        : undefined
      const record = this.recordOf(this.readFilesOrThrow(paths))
      return { ...record, alreadyFinished: true, ...(killed ? { killedLeftovers: killed } : {}) }
    }
    if (!files.pid) {
      throw new BgbashError(
        'task_not_running',
        `Task not running yet: ${files.meta.taskId}. Try again in a moment.`,
      )
    }
    createKillInfo(paths, {
      reason,
      by,
      at: Date.now(),
      managerPid: process.pid,
      managerStart: this.selfStartTime,
    })
    const root = this.rootOf(files.meta.taskId, files.pid)
    const result = await killTree(
      (mayShare) => collectTaskProcesses(root, mayShare ? ProcessSnapshot.shared() : new ProcessSnapshot()),
      graceMs,
    )
    if (result.survivors.length > 0) {
      this.logger.warn?.('processes survived SIGKILL', {
        taskId: root.taskId,
        pids: result.survivors.map((p) => p.pid),
      })
    }
    const record = this.endTask(paths, {
      exitCode: readExitCode(paths),
      kill: readKillInfo(paths) ?? { reason, by, at: Date.now() },
      killSignal: result.signal,
      wrapperSignal: task?.wrapperSignal,
    })
    return record ?? this.recordOf(this.readFilesOrThrow(paths))
  }

  // ── reading ─────────────────────────────────────────────────────────────────────────────────

  /**
   * The record of any task of the project (of any project with `allSessions`); throws
   * `task_not_found` (or `invalid_request` for a malformed id). Only reads, like `list`.
   */
  async status(taskId: string, options: { allSessions?: boolean } = {}): Promise<TaskRecord> {
    this.assertOpen()
    const paths = this.locate(taskId, options.allSessions)
    return this.viewOf(this.readFilesOrThrow(paths))
  }

  /**
   * Tasks of this owner (default), of the project, or of every project, newest first. Only reads:
   * a task that ended unseen shows how it ended, and is recorded by a manager that watches it.
   */
  async list(options: ListOptions = {}): Promise<TaskRecord[]> {
    this.assertOpen()
    const scope = options.allSessions ? 'all' : (options.scope ?? 'mine')
    if (scope !== 'mine' && scope !== 'project' && scope !== 'all') {
      throw new BgbashError('invalid_request', `Invalid scope: ${String(scope)}. Use mine, project or all.`)
    }
    const wanted = options.status === undefined ? undefined : new Set([options.status].flat())
    const records: TaskRecord[] = []
    for (const paths of this.scope.listTasks(scope === 'all')) {
      const files = this.readTaskFiles(paths)
      if (!files || (scope === 'mine' && this.relationTo(files.meta) === 'other')) continue
      const record = this.viewOf(files)
      if (!wanted || wanted.has(record.status)) records.push(record)
    }
    return records.sort((a, b) => b.createdAt - a.createdAt)
  }

  /**
   * Reads a task's output: a window by offset, the last or first N lines, or the lines matching a
   * pattern with context; from an offset or from where this reader last stopped (`fromCursor`).
   */
  async read(taskId: string, options: ReadOptions & { allSessions?: boolean } = {}): Promise<ReadResult> {
    this.assertOpen()
    const { allSessions, ...readOptions } = options
    const paths = this.locate(taskId, allSessions)
    const window = readTask(paths, readOptions, this.sessionId)
    const files = this.readFilesOrThrow(paths)
    return { ...window, status: this.recordOf(files).status }
  }

  /**
   * Moves a reader's cursor over a task's output forward to `offset` (never back), e.g. after
   * showing a model that part some other way. Returns where the cursor now stands.
   */
  async advanceCursor(
    taskId: string,
    offset: number,
    options: { reader?: string; allSessions?: boolean } = {},
  ): Promise<number> {
    this.assertOpen()
    if (!Number.isSafeInteger(offset) || offset < 0) {
      throw new BgbashError('invalid_request', `Invalid offset: ${offset}. Use an integer ≥ 0.`)
    }
    const paths = this.locate(taskId, options.allSessions)
    this.readFilesOrThrow(paths)
    return advanceCursor(paths, options.reader ?? this.sessionId, offset)
  }

  /**
   * Resolves when every given task has ended, with their records; after `timeoutMs`, resolves
   * with the records as they are (not an error: check each status).
   */
  async wait(taskIds: string[], options: WaitOptions = {}): Promise<TaskRecord[]> {
    this.assertOpen()
    const { timeoutMs } = options
    checkWaitTimeout(timeoutMs)
    const targets = this.waitTargets(taskIds, options.allSessions)
    const all = Promise.all(targets.map((target) => target.ended))
    if (timeoutMs === undefined) return all
    let timer: NodeJS.Timeout | undefined
    const timedOut = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), timeoutMs)
    })
    const result = await Promise.race([all, timedOut])
    clearTimeout(timer)
    return result ?? targets.map((target) => this.recordOf(this.readFilesOrThrow(target.paths)))
  }

  /**
   * Waits until a pattern appears in the output of any of the tasks, a failure pattern appears,
   * the tasks end, or the time is up, and says which (with the match and a few lines around it).
   */
  async waitFor(taskIds: string[], options: WaitForOptions = {}): Promise<WaitForResult> {
    this.assertOpen()
    checkWaitTimeout(options.timeoutMs)
    for (const [name, value] of [
      ['until', options.until],
      ['failOn', options.failOn],
    ] as const) {
      if (value !== undefined && value !== 'exit' && !(value instanceof RegExp)) {
        throw new BgbashError(
          'invalid_request',
          `Invalid ${name}: use a RegExp${name === 'until' ? " or 'exit'" : ''}.`,
        )
      }
    }
    const targets = this.waitTargets(taskIds, options.allSessions)
    return waitForTasks(targets, options, (paths) => this.recordOf(this.readFilesOrThrow(paths)))
  }

  /**
   * Resolves once the task has written past `afterOffset` (any byte, also a line not yet ended),
   * has ended, or the time is up; says which. What `tail -f` needs, without polling.
   */
  async waitForOutput(taskId: string, options: WaitForOutputOptions): Promise<OutputWaitReason> {
    this.assertOpen()
    checkWaitTimeout(options.timeoutMs)
    if (!Number.isSafeInteger(options.afterOffset) || options.afterOffset < 0) {
      throw new BgbashError(
        'invalid_request',
        `Invalid afterOffset: ${options.afterOffset}. Use an integer ≥ 0.`,
      )
    }
    const [target] = this.waitTargets([taskId], options.allSessions)
    if (!target) throw new BgbashError('invalid_request', 'Invalid task id: pass one task id.')
    return waitForLogGrowth(target.paths, target.ended, options)
  }

  /** Locates tasks to wait on; each comes with a promise of its terminal record. */
  private waitTargets(taskIds: string[], allSessions = false): WaitTarget[] {
    if (!Array.isArray(taskIds) || taskIds.length === 0) {
      throw new BgbashError('invalid_request', 'Invalid task ids: pass a non-empty list of task ids.')
    }
    return taskIds
      .map((id) => this.locate(id, allSessions))
      .map((paths) => {
        const files = this.settle(this.readFilesOrThrow(paths))
        if (files.end) return { paths, ended: Promise.resolve(this.recordOf(files)) }
        const ended = new Promise<TaskRecord>((resolve) => {
          const list = this.waiters.get(files.meta.taskId) ?? []
          list.push(resolve)
          this.waiters.set(files.meta.taskId, list)
        })
        // After the waiter is in place: the watch's first look may find the task ended already
        // (its exit record landed since the read above) and end it at once.
        if (!this.watched.has(files.meta.taskId)) this.watch(paths, files.meta, files.pid, undefined)
        return { paths, ended }
      })
  }

  /**
   * Writes to the stdin of a task started with `stdin: true`; `eof` then ends its input.
   * Works from any manager, also after a restart. Returns the bytes written.
   */
  async write(
    taskId: string,
    data: string | Uint8Array,
    options: { eof?: boolean; allSessions?: boolean } = {},
  ): Promise<number> {
    this.assertOpen()
    const paths = this.locate(taskId, options.allSessions)
    const files = this.settle(this.readFilesOrThrow(paths))
    if (!files.meta.stdin) {
      throw new BgbashError(
        'stdin_not_enabled',
        `Stdin not enabled: ${taskId}. Start the task with stdin: true to write to it.`,
      )
    }
    if (files.end || !files.pid) {
      throw new BgbashError(
        'task_not_running',
        `Task not running: ${taskId} is ${this.recordOf(files).status}.`,
      )
    }
    if (typeof data !== 'string' && !(data instanceof Uint8Array)) {
      throw new BgbashError('invalid_request', 'Invalid input: pass a string or bytes.')
    }
    return writeStdin(paths, files.pid, Buffer.from(data), options.eof === true)
  }

  // ── retention ───────────────────────────────────────────────────────────────────────────────

  /**
   * Removes ended tasks past their retention (24 h once delivered, 7 days while owed) in every
   * session, settles tasks nobody watches, and never removes a task whose process is alive.
   */
  async gc(options: GcOptions = {}): Promise<GcResult> {
    const now = options.now ?? Date.now()
    const removed: string[] = []
    if (this.readOnly && !options.dryRun) {
      throw new BgbashError(
        'invalid_request',
        'This manager is read-only: gc needs dryRun, or a manager without readOnly.',
      )
    }
    if (!options.dryRun) this.scope.migrateLegacy()
    for (const paths of this.scope.listTasks(options.allProjects === true)) {
      const { taskId } = paths
      if (!fs.existsSync(paths.task)) {
        removeIfStale(paths.dir, now, options.dryRun)
        continue
      }
      let files = this.readTaskFiles(paths)
      if (!files || files.meta.schemaVersion !== SCHEMA_VERSION) continue
      if (!files.end && !this.watched.has(taskId) && !options.dryRun) files = this.settle(files)
      if (!files.end) continue
      if (now - files.end.finishedAt < this.retentionOf(files, options.olderThanMs)) continue
      if (hasLiveProcess(files)) continue
      removed.push(taskId)
      if (!options.dryRun) {
        this.store.removeTask(paths)
        this.owed.delete(taskId)
      }
    }
    return { removed }
  }

  /**
   * How long an ended task is kept: `olderThanMs` when given, else 24 h once delivered and 7 days
   * while owed. A completion still owed to a live owner (the manager that started the task runs)
   * is always kept its 7 days: a cleanup in one window never takes another client's notice.
   */
  private retentionOf(files: TaskFiles, olderThanMs: number | undefined): number {
    const isOwed = files.meta.notify && !files.delivered
    if (isOwed && isProcessAlive(files.meta.createdBy, files.meta.createdByStart)) {
      return Math.max(olderThanMs ?? 0, this.retentionUndeliveredMs)
    }
    return olderThanMs ?? (isOwed ? this.retentionUndeliveredMs : this.retentionDeliveredMs)
  }

  // ── closing ─────────────────────────────────────────────────────────────────────────────────

  /**
   * Stops watching. By default the session's tasks keep running for the next manager to adopt;
   * with `killRunning` this manager kills them first.
   */
  async close(options: { killRunning?: boolean } = {}): Promise<void> {
    if (this.closed) return
    if (options.killRunning) {
      const running = [...this.watched.values()].filter((task) => task.meta.sessionId === this.sessionId)
      await Promise.all(
        running.map((task) =>
          this.startKill(task.paths, 'shutdown', 'shutdown', this.killGraceMs).catch(() => undefined),
        ),
      )
    }
    this.closed = true
    for (const timer of this.timers) clearInterval(timer)
    for (const timer of this.leftoverDeadlines.values()) clearTimeout(timer)
    this.closeSessionWatch()
    this.outputWatches.closeAll()
    for (const task of [...this.watched.values()]) this.unwatch(task)
  }

  // ── helpers ─────────────────────────────────────────────────────────────────────────────────

  private assertOpen(): void {
    if (this.closed)
      throw new BgbashError(
        'invalid_request',
        'Task manager is closed: open a new one with openTaskManager().',
      )
  }

  private managerName(): string {
    return `pid:${process.pid}`
  }

  /** Finds a task directory by id: any task of the project, or of any project when asked. */
  private locate(taskId: string, allSessions = false): TaskPaths {
    const id = assertTaskId(taskId)
    const paths = this.scope.locate(id, allSessions)
    if (!paths) {
      throw new BgbashError(
        'task_not_found',
        `Task not found: ${id}. No task of this project has that id; call bash_list (or bgbash ls) to see the tasks.`,
        { data: { taskId: id } },
      )
    }
    return paths
  }

  /**
   * How a task stands to this manager's owner (`relationOf`, the one rule). An inherited task is
   * remembered, so its completion says it was started before this manager.
   */
  private relationTo(meta: TaskMeta): Relation {
    const relation = relationOf(meta, this.owner, ({ pid, startTime }) => isProcessAlive(pid, startTime))
    if (relation === 'inherited') this.inherited.add(meta.taskId)
    return relation
  }

  /** A task's record as its files and processes show it now, without writing anything. */
  private viewOf(files: TaskFiles): TaskRecord {
    if (files.end || this.watched.has(files.meta.taskId)) return this.recordOf(files)
    return viewUnwatched(files, this.recordOf(files))
  }

  /**
   * A task's records, with the pid this manager got from spawning it while the wrapper has not
   * yet written pid.json (the first moment of its life).
   */
  private readTaskFiles(paths: TaskPaths): TaskFiles | undefined {
    const files = this.store.readFiles(paths)
    if (files && !files.pid && !files.end) files.pid = this.watched.get(paths.taskId)?.pid
    return files
  }

  private readFilesOrThrow(paths: TaskPaths): TaskFiles {
    const files = this.readTaskFiles(paths)
    if (!files) {
      const { taskId } = paths
      throw new BgbashError('task_not_found', `Task not found: ${taskId}. It may have been removed by gc.`, {
        data: { taskId },
      })
    }
    return files
  }

  /** Settles a task nobody here watches (it may have ended unseen), then rereads it. */
  private settle(files: TaskFiles): TaskFiles {
    if (files.end || this.watched.has(files.meta.taskId)) return files
    this.recover(files, !this.readOnly)
    return this.readTaskFiles(files.paths) ?? files
  }

  private rootOf(taskId: string, pid: PidInfo): TaskRoot {
    return { taskId, pid: pid.pid, pgid: pid.pgid, startTime: pid.startTime }
  }

  private recordOf(files: TaskFiles): TaskRecord {
    return buildTaskRecord(
      files.paths,
      files.meta,
      files.pid,
      files.kill,
      files.end,
      files.delivered,
      {
        outputBytes: files.end ? 0 : readOutputSize(files.paths),
        droppedBytes: files.end ? 0 : getDroppedBytes(readDroppedInfo(files.paths)),
      },
      { leftovers: filterLiveLeftovers(files.leftovers), killedLeftovers: files.killedLeftovers },
    )
  }

  private toRecord(paths: TaskPaths, meta: TaskMeta, pid: PidInfo): TaskRecord {
    return buildTaskRecord(paths, meta, pid, undefined, undefined, false, {
      outputBytes: readOutputSize(paths),
      droppedBytes: 0,
    })
  }
}

function checkWaitTimeout(timeoutMs: number | undefined): void {
  if (timeoutMs !== undefined && (!Number.isInteger(timeoutMs) || timeoutMs < 0)) {
    throw new BgbashError(
      'invalid_request',
      `Invalid timeout: ${timeoutMs}. Use an integer number of ms ≥ 0.`,
    )
  }
}

function undefinedIfSignal(code: number | null, signal: NodeJS.Signals | null): number | undefined {
  return signal || code === null ? undefined : code
}

/** Answers of isCreatorRunning for a moment: a start-up over 1000 tasks asks about a few creators. */
const creatorAnswers = new Map<string, boolean>()

/** Longest a kill can take: the largest grace (60 s) plus the wait after SIGKILL (2 s), with room. */
const KILL_SETTLE_MS = 65_000

/** Another live manager started this kill recently: it writes the terminal record itself. */
function isKillerAtWork(kill: KillInfo | undefined): boolean {
  if (!kill?.managerPid || kill.managerPid === process.pid) return false
  if (Date.now() - kill.at > KILL_SETTLE_MS) return false
  return isProcessAlive(kill.managerPid, kill.managerStart ?? -1)
}

function isCreatorRunning(meta: TaskMeta): boolean {
  if (!meta.createdBy || !meta.createdByStart) return false
  const key = `${meta.createdBy}:${meta.createdByStart}`
  let alive = creatorAnswers.get(key)
  if (alive === undefined) {
    alive = isProcessAlive(meta.createdBy, meta.createdByStart)
    if (creatorAnswers.size === 0) setImmediate(() => creatorAnswers.clear())
    creatorAnswers.set(key, alive)
  }
  return alive
}

function readMtime(file: string): number | undefined {
  try {
    return Math.round(fs.statSync(file).mtimeMs)
  } catch {
    return undefined
  }
}

function hasLiveProcess(files: TaskFiles): boolean {
  if (!files.pid) return false
  if (isProcessAlive(files.pid.pid, files.pid.startTime)) return true
  const root = {
    taskId: files.meta.taskId,
    pid: files.pid.pid,
    pgid: files.pid.pgid,
    startTime: files.pid.startTime,
  }
  return (files.leftovers?.length ?? 0) > 0 && collectTaskProcesses(root).length > 0
}

/** A task directory that never got its task.json (its creator crashed) is removed after an hour. */
function removeIfStale(dir: string, now: number, dryRun = false): void {
  try {
    const stat = fs.lstatSync(dir)
    if (stat.isDirectory() && now - stat.mtimeMs > 60 * 60 * 1000 && !dryRun)
      fs.rmSync(dir, { recursive: true, force: true })
  } catch {
    // Already gone.
  }
}

export function isTerminal(status: TaskStatus): boolean {
  return TERMINAL_STATUSES.has(status)
}

/**
 * The exit code once it can stand for the task's end: the output has drained, or the wrapper is
 * gone (it will never write `drained`), or the log has had COMMAND_EXIT_DRAIN_MS to drain.
 */
function readSettledExitCode(paths: TaskPaths, isWrapperAlive: boolean): number | undefined {
  const exit = readExitRecord(paths)
  if (!exit || exit.drained || !isWrapperAlive) return exit?.code
  const writtenAt = readMtime(paths.exit)
  return writtenAt !== undefined && Date.now() - writtenAt >= COMMAND_EXIT_DRAIN_MS ? exit.code : undefined
}
