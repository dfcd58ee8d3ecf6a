import type { ChildProcess } from 'node:child_process'
import {
  DEFAULT_KILL_GRACE_MS,
  DEFAULT_LONG_RUNNING_MS,
  DEFAULT_MAX_RUNNING,
  DEFAULT_OUTPUT_CAP_BYTES,
  RETENTION_DELIVERED_MS,
  RETENTION_UNDELIVERED_MS,
} from '../constants.js'
import { BgbashError } from '../errors.js'
import { isProcessAlive, readProcStat } from '../proc/procfs.js'
import type { TaskRoot } from '../proc/tree.js'
import { assertTaskId, type TaskIdStyle, type TaskPaths } from '../store/paths.js'
import {
  buildTaskRecord,
  getDroppedBytes,
  type PidInfo,
  type ProcessId,
  readDroppedInfo,
  readOutputSize,
  type TaskMeta,
} from '../store/records.js'
import type { TaskFiles, TaskStore } from '../store/task-store.js'
import type { Completion, Logger, TaskRecord } from '../types.js'
import type { PreviewStyle } from './completion.js'
import type { Delivery } from './delivery.js'
import type { Ending } from './ending.js'
import type { Killing } from './killing.js'
import { filterLiveLeftovers, findLeftovers } from './leftovers.js'
import type { TaskManagerEvents, TaskManagerOptions } from './options.js'
import type { EndFacts } from './outcome.js'
import { OutputWatches } from './output-watches.js'
import { type Owner, type Relation, relationOf } from './ownership.js'
import type { Reconcile } from './reconcile.js'
import type { Retention } from './retention.js'
import type { ProjectScope } from './scope.js'
import type { Spawning } from './spawning.js'
import type { TaskManager } from './task-manager.js'
import { viewUnwatched } from './view-record.js'
import type { Watcher } from './watcher.js'

/** One task this manager is watching until it ends. */
export interface Watched {
  paths: TaskPaths
  meta: TaskMeta
  pid: PidInfo | undefined
  child: ChildProcess | undefined
  /** The signal that ended the owned wrapper, seen while a kill was under way. */
  wrapperSignal: string | null | undefined
  closeWatch: () => void
  deadline: NodeJS.Timeout | undefined
  reminder: NodeJS.Timeout | undefined
  /** Asks the exit rule (settle.ts) again while the command has exited and its log has not drained. */
  drainTimer: NodeJS.Timeout | undefined
  /** The task ended but the store refused its record (disk full, read-only): the sweep retries. */
  pendingEnd: EndFacts | undefined
}

export type Waiter = (record: TaskRecord) => void

/**
 * The state one manager's modules share, and the small questions each of them asks of it
 * (where a task is, how it stands to the owner, its record). The phases of a task's life are
 * modules beside it: spawning, watching, reconciling, ending, delivering, killing, retention.
 */
export class Engine {
  /** The owner this manager acts for. */
  readonly sessionId: string
  /** The project whose tasks this manager sees. */
  readonly projectRoot: string
  readonly storeRoot: string
  readonly store: TaskStore
  readonly owner: Owner
  readonly scope: ProjectScope
  readonly defaultCwd: string
  readonly readOnly: boolean
  maxRunning: number
  readonly killGraceMs: number
  readonly outputCapBytes: number
  longRunningMs: number
  readonly retentionDeliveredMs: number
  readonly retentionUndeliveredMs: number
  readonly logger: Logger
  /** The form of the ids this manager hands out (TaskManagerOptions.taskIdStyle). */
  readonly taskIdStyle: TaskIdStyle
  /** TaskManagerOptions.capturePipelineStatus. */
  readonly capturePipelineStatus: boolean
  /** How completion previews read (TaskManagerOptions.readHint, relativePaths, terseViews). */
  readonly previewStyle: PreviewStyle
  readonly selfStartTime: number
  readonly watched = new Map<string, Watched>()
  readonly waiters = new Map<string, Waiter[]>()
  /** Ended tasks of this session whose completion may still be owed. */
  readonly owed = new Set<string>()
  readonly timers: NodeJS.Timeout[] = []
  readonly outputWatches = new OutputWatches()
  readonly completionCache = new Map<string, Completion>()
  /** Tasks owed here that this manager inherited from its client's previous one (see ownership.ts). */
  readonly inherited = new Set<string>()
  /** Manager processes that own tasks of the project, by pid and start time: gone when this one opened? */
  private readonly goneAtOpen = new Map<string, boolean>()
  /** True while `open` lists the project's tasks (Watcher.start). */
  listingAtOpen = false
  readonly leftoverQueue: Array<{ paths: TaskPaths; meta: TaskMeta; pid: PidInfo }> = []
  /** Deadlines of ended tasks whose leftover processes still run (see armLeftoverDeadline). */
  readonly leftoverDeadlines = new Map<string, NodeJS.Timeout>()
  /** Kills under way in this manager, by task, watched or not (a kill may outrun the watch). */
  readonly kills = new Map<string, Promise<TaskRecord>>()
  /** Liveness sweeps so far (every THOROUGH_SWEEP_EVERY-th reads /proc). */
  sweeps = 0
  closeSessionWatch: () => void = () => {}
  closed = false

  readonly manager: TaskManager
  watcher!: Watcher
  reconcile!: Reconcile
  ending!: Ending
  delivery!: Delivery
  killing!: Killing
  retention!: Retention
  spawning!: Spawning

  /**
   * Tells the listeners: one that throws is logged and never reaches the timer, watch or child
   * event that raised it (a background callback never crashes the process that embeds bgbash).
   */
  emitSafely<K extends keyof TaskManagerEvents>(event: K, ...args: TaskManagerEvents[K]): void {
    try {
      // EventEmitter's typing takes the event's arguments only as a tuple spread of a known key.
      this.manager.emit(event as keyof TaskManagerEvents, ...(args as never as [never]))
    } catch (error) {
      this.logger.warn?.(`a '${event}' listener threw`, { error: String(error) })
    }
  }

  /** Runs a background step (timer, watch, child event), logging what it throws instead of crashing. */
  guard(what: string, step: () => void): void {
    try {
      step()
    } catch (error) {
      this.logger.warn?.(`${what} failed`, { error: String(error) })
    }
  }

  constructor(
    manager: TaskManager,
    store: TaskStore,
    owner: Owner,
    scope: ProjectScope,
    defaultCwd: string,
    options: TaskManagerOptions,
  ) {
    this.manager = manager
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
    this.previewStyle = {
      readHint: options.readHint,
      relativePaths: options.relativePaths === true,
      terse: options.terseViews === true,
    }
    this.taskIdStyle = options.taskIdStyle ?? 'bgbash'
    this.capturePipelineStatus = options.capturePipelineStatus === true
    this.selfStartTime = readProcStat(process.pid)?.startTime ?? 0
  }

  assertOpen(): void {
    if (this.closed)
      throw new BgbashError(
        'invalid_request',
        'Task manager is closed: open a new one with openTaskManager().',
      )
  }

  managerName(): string {
    return `pid:${process.pid}`
  }

  /** Finds a task directory by id: any task of the project, or of any project when asked. */
  locate(taskId: string, allSessions = false): TaskPaths {
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
  relationTo(meta: TaskMeta): Relation {
    const relation = relationOf(meta, this.owner, (creator) => this.wasGoneAtOpen(creator))
    if (relation === 'inherited') this.inherited.add(meta.taskId)
    return relation
  }

  /**
   * Whether a manager process had exited when this manager opened: decided the first time it is
   * asked, which for every owner of a task then in the project is while open lists them
   * (`listingAtOpen`). An owner first met later made its task after this manager opened, so it
   * was alive then: a peer, not the manager this one replaced.
   */
  private wasGoneAtOpen(creator: ProcessId): boolean {
    const key = `${creator.pid}:${creator.startTime}`
    let gone = this.goneAtOpen.get(key)
    if (gone === undefined) {
      gone = this.listingAtOpen && !isProcessAlive(creator.pid, creator.startTime)
      this.goneAtOpen.set(key, gone)
    }
    return gone
  }

  /** A task's record as its files and processes show it now, without writing anything. */
  viewOf(files: TaskFiles): TaskRecord {
    if (files.end || this.watched.has(files.meta.taskId)) return this.recordOf(files)
    const { pid } = files
    return viewUnwatched(files, this.recordOf(files), () =>
      pid ? findLeftovers(this.rootOf(files.meta.taskId, pid)) : [],
    )
  }

  /**
   * A task's records, with the pid this manager got from spawning it while the wrapper has not
   * yet written pid.json (the first moment of its life).
   */
  readTaskFiles(paths: TaskPaths): TaskFiles | undefined {
    const files = this.store.readFiles(paths)
    if (files && !files.pid && !files.end) files.pid = this.watched.get(paths.taskId)?.pid
    return files
  }

  readFilesOrThrow(paths: TaskPaths): TaskFiles {
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
  settle(files: TaskFiles): TaskFiles {
    if (files.end || this.watched.has(files.meta.taskId)) return files
    this.reconcile.recover(files, !this.readOnly)
    return this.readTaskFiles(files.paths) ?? files
  }

  rootOf(taskId: string, pid: PidInfo): TaskRoot {
    return { taskId, pid: pid.pid, pgid: pid.pgid, startTime: pid.startTime }
  }

  recordOf(files: TaskFiles): TaskRecord {
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
      {
        leftovers: filterLiveLeftovers(files.leftovers),
        killedLeftovers: files.killedLeftovers,
        answeredInline: files.answeredInline,
        pipelineStatus: files.pipelineStatus,
      },
    )
  }

  toRecord(paths: TaskPaths, meta: TaskMeta, pid: PidInfo): TaskRecord {
    return buildTaskRecord(paths, meta, pid, undefined, undefined, false, {
      outputBytes: readOutputSize(paths),
      droppedBytes: 0,
    })
  }
}
