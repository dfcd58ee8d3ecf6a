import { EventEmitter } from 'node:events'
import { BgbashError } from '../errors.js'
import { advanceCursor } from '../store/cursors.js'
import { assertTaskId } from '../store/paths.js'
import type { TaskStore } from '../store/task-store.js'
import type {
  Completion,
  LeftoverProcess,
  ReadOptions,
  ReadResult,
  SpawnedTask,
  SpawnOptions,
  TaskRecord,
  TaskStatus,
} from '../types.js'
import { TERMINAL_STATUSES } from '../types.js'
import { Delivery } from './delivery.js'
import { Ending } from './ending.js'
import { Engine } from './engine.js'
import { Killing } from './killing.js'
import type {
  AckOptions,
  GcOptions,
  GcResult,
  KillOptions,
  ListOptions,
  TaskManagerEvents,
  TaskManagerOptions,
  WaitOptions,
} from './options.js'
import { MAX_WATCHES_PER_TASK, type OutputWatchEvent } from './output-watches.js'
import type { Owner } from './ownership.js'
import { readTask } from './read.js'
import { Reconcile } from './reconcile.js'
import { Retention } from './retention.js'
import type { ProjectScope } from './scope.js'
import { Spawning } from './spawning.js'
import { writeStdin } from './stdin.js'
import { checkWaitTimeout } from './validate.js'
import { type WaitForOptions, type WaitForResult, waitForTasks } from './wait-for.js'
import { type OutputWaitReason, type WaitForOutputOptions, waitForLogGrowth } from './wait-output.js'
import { Watcher } from './watcher.js'

export type {
  AckOptions,
  GcOptions,
  GcResult,
  KillOptions,
  ListOptions,
  ListScope,
  TaskManagerEvents,
  TaskManagerOptions,
  WaitOptions,
} from './options.js'

/**
 * The engine's facade: starts, watches, kills and reports the tasks of one project on one store,
 * for one owner. Several managers may share a store and a project; the store keeps their results
 * consistent. Each phase of a task's life is a module of its own (see Engine); this class is the
 * public API and reads like a table of contents. An open manager keeps the process alive (it
 * watches files); call `close()` when done.
 */
export class TaskManager extends EventEmitter<TaskManagerEvents> {
  /** The owner this manager acts for. */
  readonly sessionId: string
  /** The project whose tasks this manager sees. */
  readonly projectRoot: string
  readonly storeRoot: string
  private readonly e: Engine

  /** Use `openTaskManager`. */
  constructor(
    store: TaskStore,
    owner: Owner,
    scope: ProjectScope,
    defaultCwd: string,
    options: TaskManagerOptions,
  ) {
    super()
    const e = new Engine(this, store, owner, scope, defaultCwd, options)
    e.watcher = new Watcher(e)
    e.reconcile = new Reconcile(e)
    e.ending = new Ending(e)
    e.delivery = new Delivery(e)
    e.killing = new Killing(e)
    e.retention = new Retention(e)
    e.spawning = new Spawning(e)
    this.e = e
    this.sessionId = e.sessionId
    this.projectRoot = e.projectRoot
    this.storeRoot = e.storeRoot
  }

  /**
   * Reconciles the project's tasks (every owner's: deadlines and ends are any manager's duty) and
   * starts watching; called once by `openTaskManager`, never for a read-only manager.
   */
  start(options: TaskManagerOptions): void {
    this.e.watcher.start(options)
  }

  /**
   * Starts a command in the background; resolves once it runs, with its record. With `readyWhen`
   * it resolves once the task is ready (a pattern in its output, a port accepting, a URL
   * answering), or has ended, printed `failOn`, or run out of `readyTimeoutMs`; `ready` says which.
   */
  async spawn(options: SpawnOptions): Promise<SpawnedTask> {
    return this.e.spawning.spawn(options)
  }

  /**
   * Claims every completion owed to this session (marking each delivered, exactly once across
   * managers) and returns them, oldest first.
   */
  async takeCompletions(): Promise<Completion[]> {
    return this.e.delivery.takeCompletions()
  }

  /**
   * Completions owed to this session (or to these of its tasks), without claiming them: a peek,
   * nothing is marked delivered.
   */
  async peekCompletions(taskIds?: string[]): Promise<Completion[]> {
    return this.e.delivery.peekCompletions(taskIds)
  }

  /**
   * Marks the completions of these tasks delivered (exactly once across managers); returns the
   * ids that are now delivered, whoever delivered them. Only tasks owed to this owner: another
   * owner's completion is never taken from it (those ids are left out).
   */
  async ackCompletions(taskIds: string[], options: AckOptions = {}): Promise<string[]> {
    return this.e.delivery.ackCompletions(taskIds, options)
  }

  /**
   * Turns notify on for a task started without it. A task that already ended and was never
   * handed out becomes owed; returns its record.
   */
  async promote(taskId: string): Promise<TaskRecord> {
    return this.e.delivery.promote(taskId)
  }

  /**
   * Kills a task and every process it started (SIGTERM, then SIGKILL after the grace) and returns
   * its terminal record. A task that already ended is returned with `alreadyFinished: true`.
   */
  async kill(taskId: string, options: KillOptions = {}): Promise<TaskRecord> {
    return this.e.killing.kill(taskId, options)
  }

  /**
   * The processes a kill of this task would signal now (its group, session, descendants and any
   * process carrying its id), without signalling anything. Empty once the task has ended.
   */
  async planKill(taskId: string, options: { allSessions?: boolean } = {}): Promise<LeftoverProcess[]> {
    return this.e.killing.planKill(taskId, options)
  }

  /**
   * Removes ended tasks past their retention (24 h once delivered, 7 days while owed) in every
   * session, settles tasks nobody watches, and never removes a task whose process is alive.
   */
  async gc(options: GcOptions = {}): Promise<GcResult> {
    return this.e.retention.gc(options)
  }

  /**
   * The record of any task of the project (of any project with `allSessions`); throws
   * `task_not_found` (or `invalid_request` for a malformed id). Only reads, like `list`.
   */
  async status(taskId: string, options: { allSessions?: boolean } = {}): Promise<TaskRecord> {
    this.e.assertOpen()
    const paths = this.e.locate(taskId, options.allSessions)
    return this.e.viewOf(this.e.readFilesOrThrow(paths))
  }

  /**
   * Tasks of this owner (default), of the project, or of every project, newest first. Only reads:
   * a task that ended unseen shows how it ended, and is recorded by a manager that watches it.
   */
  async list(options: ListOptions = {}): Promise<TaskRecord[]> {
    this.e.assertOpen()
    const scope = options.allSessions ? 'all' : (options.scope ?? 'mine')
    if (scope !== 'mine' && scope !== 'project' && scope !== 'all') {
      throw new BgbashError('invalid_request', `Invalid scope: ${String(scope)}. Use mine, project or all.`)
    }
    const wanted = options.status === undefined ? undefined : new Set([options.status].flat())
    const records: TaskRecord[] = []
    for (const paths of this.e.scope.listTasks(scope === 'all')) {
      const files = this.e.readTaskFiles(paths)
      if (!files || (scope === 'mine' && this.e.relationTo(files.meta) === 'other')) continue
      // A task whose end a foreground call already answered is clutter in a default listing.
      if (files.answeredInline && !wanted && !options.includeAnswered) continue
      const record = this.e.viewOf(files)
      if (!wanted || wanted.has(record.status)) records.push(record)
    }
    return records.sort((a, b) => b.createdAt - a.createdAt)
  }

  /**
   * Reads a task's output: a window by offset, the last or first N lines, or the lines matching a
   * pattern with context; from an offset or from where this reader last stopped (`fromCursor`).
   */
  async read(taskId: string, options: ReadOptions & { allSessions?: boolean } = {}): Promise<ReadResult> {
    this.e.assertOpen()
    const { allSessions, ...readOptions } = options
    const paths = this.e.locate(taskId, allSessions)
    const window = readTask(paths, readOptions, this.e.sessionId)
    const files = this.e.readFilesOrThrow(paths)
    return { ...window, status: this.e.recordOf(files).status }
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
    this.e.assertOpen()
    if (!Number.isSafeInteger(offset) || offset < 0) {
      throw new BgbashError('invalid_request', `Invalid offset: ${offset}. Use an integer ≥ 0.`)
    }
    const paths = this.e.locate(taskId, options.allSessions)
    this.e.readFilesOrThrow(paths)
    return advanceCursor(paths, options.reader ?? this.e.sessionId, offset)
  }

  /**
   * Resolves when every given task has ended, with their records; after `timeoutMs`, resolves
   * with the records as they are (not an error: check each status).
   */
  async wait(taskIds: string[], options: WaitOptions = {}): Promise<TaskRecord[]> {
    this.e.assertOpen()
    const { timeoutMs } = options
    checkWaitTimeout(timeoutMs)
    const targets = this.e.ending.waitTargets(taskIds, options.allSessions)
    const all = Promise.all(targets.map((target) => target.ended))
    if (timeoutMs === undefined) return all
    let timer: NodeJS.Timeout | undefined
    const timedOut = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), timeoutMs)
    })
    const result = await Promise.race([all, timedOut])
    clearTimeout(timer)
    return result ?? targets.map((target) => this.e.recordOf(this.e.readFilesOrThrow(target.paths)))
  }

  /**
   * Waits until a pattern appears in the output of any of the tasks, a failure pattern appears,
   * the tasks end, or the time is up, and says which (with the match and a few lines around it).
   */
  async waitFor(taskIds: string[], options: WaitForOptions = {}): Promise<WaitForResult> {
    this.e.assertOpen()
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
    const targets = this.e.ending.waitTargets(taskIds, options.allSessions)
    return waitForTasks(targets, options, (paths) => this.e.recordOf(this.e.readFilesOrThrow(paths)))
  }

  /**
   * Resolves once the task has written past `afterOffset` (any byte, also a line not yet ended),
   * has ended, or the time is up; says which. What `tail -f` needs, without polling.
   */
  async waitForOutput(taskId: string, options: WaitForOutputOptions): Promise<OutputWaitReason> {
    this.e.assertOpen()
    checkWaitTimeout(options.timeoutMs)
    if (!Number.isSafeInteger(options.afterOffset) || options.afterOffset < 0) {
      throw new BgbashError(
        'invalid_request',
        `Invalid afterOffset: ${options.afterOffset}. Use an integer ≥ 0.`,
      )
    }
    const [target] = this.e.ending.waitTargets([taskId], options.allSessions)
    if (!target) throw new BgbashError('invalid_request', 'Invalid task id: pass one task id.')
    return waitForLogGrowth(target.paths, target.ended, options)
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
    this.e.assertOpen()
    const paths = this.e.locate(taskId, options.allSessions)
    const files = this.e.settle(this.e.readFilesOrThrow(paths))
    if (!files.meta.stdin) {
      throw new BgbashError(
        'stdin_not_enabled',
        `Stdin not enabled: ${taskId}. Start the task with stdin: true to write to it.`,
      )
    }
    if (files.end || !files.pid) {
      throw new BgbashError(
        'task_not_running',
        `Task not running: ${taskId} is ${this.e.recordOf(files).status}.`,
      )
    }
    if (typeof data !== 'string' && !(data instanceof Uint8Array)) {
      throw new BgbashError('invalid_request', 'Invalid input: pass a string or bytes.')
    }
    return writeStdin(paths, files.pid, Buffer.from(data), options.eof === true)
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
    this.e.assertOpen()
    const paths = this.e.locate(taskId)
    if (!(pattern instanceof RegExp))
      throw new BgbashError('invalid_request', 'Invalid pattern: pass a RegExp.')
    if (this.e.outputWatches.count(paths.taskId) >= MAX_WATCHES_PER_TASK) {
      throw new BgbashError(
        'limit_exceeded',
        `Too many output watches: ${taskId} already has ${MAX_WATCHES_PER_TASK}. Remove one with unwatchOutput.`,
      )
    }
    const files = this.e.settle(this.e.readFilesOrThrow(paths))
    const watchId = this.e.outputWatches.add(paths, pattern, options.once !== false, onEvent)
    if (files.end)
      queueMicrotask(() =>
        this.e.guard('an output watch', () => this.e.outputWatches.onTaskEnd(paths.taskId)),
      )
    else if (!this.e.watched.has(paths.taskId)) this.e.watcher.watch(paths, files.meta, files.pid, undefined)
    return watchId
  }

  /** Removes an output watch; false when there was none by that id. */
  unwatchOutput(taskId: string, watchId: string): boolean {
    return this.e.outputWatches.remove(assertTaskId(taskId), watchId)
  }

  /** Changes settings of an open manager: the long-running reminder interval and the running limit. */
  configure(settings: { longRunningMs?: number; maxRunning?: number }): void {
    for (const [key, value] of Object.entries(settings)) {
      if (value !== undefined && (!Number.isSafeInteger(value) || value < 0)) {
        throw new BgbashError('invalid_request', `Invalid ${key}: ${value}. Use an integer ≥ 0.`)
      }
    }
    if (settings.maxRunning !== undefined) this.e.maxRunning = settings.maxRunning
    if (settings.longRunningMs !== undefined && settings.longRunningMs !== this.e.longRunningMs) {
      this.e.longRunningMs = settings.longRunningMs
      this.e.watcher.rearmReminders()
    }
  }

  /**
   * Stops watching. By default the session's tasks keep running for the next manager to adopt;
   * with `killRunning` this manager kills them first.
   */
  async close(options: { killRunning?: boolean } = {}): Promise<void> {
    if (this.e.closed) return
    if (options.killRunning) {
      const running = [...this.e.watched.values()].filter((task) => task.meta.sessionId === this.e.sessionId)
      await Promise.all(
        running.map((task) =>
          this.e.killing
            .startKill(task.paths, 'shutdown', 'shutdown', this.e.killGraceMs)
            .catch(() => undefined),
        ),
      )
    }
    this.e.closed = true
    this.e.watcher.stopAll()
  }
}

export function isTerminal(status: TaskStatus): boolean {
  return TERMINAL_STATUSES.has(status)
}
