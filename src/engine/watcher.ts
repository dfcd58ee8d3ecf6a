import type { ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import { GC_INTERVAL_MS, LIVENESS_SWEEP_MS } from '../constants.js'
import { isProcessAlive, pidExists } from '../proc/procfs.js'
import { readDiskUsage } from '../store/output-log.js'
import { isTaskId, type TaskPaths } from '../store/paths.js'
import { type PidInfo, readExitCode, readKillInfo, readPidInfo, type TaskMeta } from '../store/records.js'
import { watchDirectory } from '../watch/dir-watcher.js'
import type { Engine, Watched } from './engine.js'
import { filterLiveLeftovers } from './leftovers.js'
import type { TaskManagerOptions } from './options.js'
import type { EndFacts } from './outcome.js'
import { settleExit } from './settle.js'

/** Watching: the project directory for new tasks, each task's files, its timers, the liveness sweep. */
export class Watcher {
  private readonly e: Engine

  constructor(e: Engine) {
    this.e = e
  }

  /**
   * Reconciles the project's tasks (every owner's: deadlines and ends are any manager's duty) and
   * starts watching; called once by `openTaskManager`, never for a read-only manager.
   */
  start(options: TaskManagerOptions): void {
    // Every owner of a task now in the project is judged alive or gone as of this moment.
    this.e.listingAtOpen = true
    try {
      for (const paths of this.e.scope.listTasks()) this.noticeTask(paths.taskId, paths)
    } finally {
      this.e.listingAtOpen = false
    }
    this.e.closeSessionWatch = watchDirectory(
      this.e.scope.dir,
      (name) => {
        if (isTaskId(name) && !this.e.watched.has(name)) this.noticeTask(name)
      },
      (error) => this.e.logger.warn?.('session watch failed', { error: String(error) }),
    )
    this.e.timers.push(setInterval(() => this.sweep(), LIVENESS_SWEEP_MS))
    if (options.backgroundGc !== false) {
      const gc = setInterval(() => {
        this.e.retention
          .gc()
          .catch((error) => this.e.logger.warn?.('background gc failed', { error: String(error) }))
      }, GC_INTERVAL_MS)
      gc.unref()
      this.e.timers.push(gc)
    }
    // Completions owed from before this manager opened go to 'completion' listeners attached right after open.
    setImmediate(() => this.e.guard('delivering owed completions', () => this.e.delivery.deliverOwed()))
  }

  /**
   * Looks at a task of this project found on disk (at start-up or when another manager made it);
   * `listed`: its paths, when a listing of the project just found them.
   */
  noticeTask(taskId: string, listed?: TaskPaths): void {
    const paths = listed ?? this.e.scope.locate(taskId)
    const files = paths && this.e.readTaskFiles(paths)
    if (!files) {
      // Another manager is creating it: its task.json has not landed yet. Watch for it.
      if (!paths || !fs.existsSync(paths.task)) this.watchPendingDir(taskId)
      return
    }
    if (this.e.listingAtOpen) this.e.relationTo(files.meta)
    if (files.end) {
      if (files.meta.notify && !files.delivered && this.e.relationTo(files.meta) !== 'other')
        this.e.owed.add(taskId)
      if (files.pid && filterLiveLeftovers(files.leftovers))
        this.e.ending.armLeftoverDeadline(paths, files.meta, files.pid)
      return
    }
    this.e.reconcile.recover(files, true)
  }

  watchPendingDir(taskId: string): void {
    const dir = `${this.e.scope.dir}/${taskId}`
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
      if (this.e.scope.locate(taskId)) this.noticeTask(taskId)
    }
  }

  /**
   * Starts watching a task. With `deferWatch` (a task this manager has just spawned) the file
   * watch starts once the current turn of the event loop is over, after the spawn's reply has
   * gone out: the look at the task's files that follows it catches whatever happened before.
   */
  watch(
    paths: TaskPaths,
    meta: TaskMeta,
    pid: PidInfo | undefined,
    child: ChildProcess | undefined,
    options: { deferWatch?: boolean } = {},
  ): void {
    if (this.e.watched.has(meta.taskId) || this.e.closed) return
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
    this.e.watched.set(meta.taskId, task)
    if (child) {
      child.on('exit', (_code, signal) =>
        this.e.guard('ending a task on its exit', () => {
          if (this.e.kills.has(meta.taskId)) task.wrapperSignal = signal
          else
            this.endWatched(task, {
              exitCode: readExitCode(paths) ?? undefinedIfSignal(_code, signal),
              kill: readKillInfo(paths),
              wrapperSignal: signal,
            })
        }),
      )
    }
    if (pid) this.armTimers(task)
    if (options.deferWatch) setImmediate(() => this.e.guard('watching a task', () => this.watchFiles(task)))
    else this.watchFiles(task)
  }

  watchFiles(task: Watched): void {
    if (this.e.watched.get(task.meta.taskId) !== task) return
    const { taskId } = task.meta
    task.closeWatch = watchDirectory(
      task.paths.dir,
      (name) => {
        try {
          this.onTaskFile(task, name)
        } catch (error) {
          // A store that refuses writes must not crash the manager; the sweep retries the end.
          this.e.logger.warn?.('task event failed', { taskId, error: String(error) })
        }
      },
      (error) => this.e.logger.warn?.('task watch failed', { taskId, error: String(error) }),
    )
    // The exit record may have landed between the look that chose to watch and the watch itself:
    // no event will come for it. Drained: the task has ended. Code only: the log may never drain
    // (a process holds the pipe).
    if (this.onExitRecord(task)) return
    // Output written before the watch started still counts against the cap.
    this.checkOutputCap(task)
  }

  armTimers(task: Watched): void {
    const startedAt = task.pid?.startedAt ?? task.meta.createdAt
    if (task.meta.timeoutMs > 0 && !task.deadline) {
      const remaining = Math.max(0, startedAt + task.meta.timeoutMs - Date.now())
      task.deadline = setTimeout(() => {
        this.e.killing
          .startKill(task.paths, 'timeout', 'deadline', this.e.killGraceMs)
          .catch((error) =>
            this.e.logger.warn?.('timeout kill failed', { taskId: task.meta.taskId, error: String(error) }),
          )
      }, remaining)
    }
    // Reminders are for the owner: another client's task is watched here for its deadline only.
    if (this.e.longRunningMs > 0 && !task.reminder && this.e.relationTo(task.meta) !== 'other') {
      const interval = this.e.longRunningMs
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
        this.e.emitSafely('long_running', {
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

  onTaskFile(task: Watched, name: string): void {
    if (this.e.watched.get(task.meta.taskId) !== task) return
    switch (name) {
      case 'output.log':
        this.checkOutputCap(task)
        return
      case 'exit':
        this.onExitRecord(task)
        return
      case 'end.json':
        this.e.ending.endTask(task.paths, { exitCode: undefined, kill: undefined })
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
  endWatched(task: Watched, facts: EndFacts): void {
    try {
      this.e.ending.endTask(task.paths, facts)
      task.pendingEnd = undefined
    } catch (error) {
      task.pendingEnd = facts
      this.e.logger.warn?.('could not record the end of a task; will retry', {
        taskId: task.meta.taskId,
        error: String(error),
      })
    }
  }

  /** Sweeps adopted tasks for processes that died without writing their exit code. */
  sweep(): void {
    try {
      // Completions whose delivery mark the store refused earlier.
      if (this.e.owed.size > 0) this.e.delivery.deliverOwed()
    } catch (error) {
      this.e.logger.warn?.('could not deliver owed completions', { error: String(error) })
    }
    // Most sweeps only ask the kernel whether each pid exists (one syscall, ~1 µs); every
    // THOROUGH_SWEEP_EVERY-th (12 s) reads /proc to also catch a zombie or a reused pid. 1000 adopted
    // tasks cost 13 ms per /proc sweep, 0.8 % of a core if every sweep read it.
    const isThorough = ++this.e.sweeps % THOROUGH_SWEEP_EVERY === 0
    for (const task of [...this.e.watched.values()]) {
      try {
        this.sweepTask(task, isThorough)
      } catch (error) {
        // The store refuses reads or writes right now; the next sweep tries again.
        this.e.logger.warn?.('liveness sweep failed', { taskId: task.meta.taskId, error: String(error) })
      }
    }
  }

  sweepTask(task: Watched, isThorough = true): void {
    if (task.pendingEnd) {
      this.endWatched(task, task.pendingEnd)
      return
    }
    if (task.child || this.e.kills.has(task.meta.taskId)) return
    // The records are read only when the process seems gone.
    if (task.pid && (isThorough ? isProcessAlive(task.pid.pid, task.pid.startTime) : pidExists(task.pid.pid)))
      return
    const files = this.e.readTaskFiles(task.paths)
    if (!files) {
      this.unwatch(task)
      return
    }
    if (files.end || !files.pid || !isProcessAlive(files.pid.pid, files.pid.startTime))
      this.e.reconcile.recover(files, false)
    else task.pid = files.pid
  }

  /**
   * Acts on the exit record (unless a kill of this manager will end the task): ends the task when
   * the rule of settle.ts says so, else asks it again when it says. True when the task ended.
   */
  onExitRecord(task: Watched): boolean {
    if (this.e.kills.has(task.meta.taskId)) return false
    const { pid } = task
    const isWrapperAlive = () => pid === undefined || isProcessAlive(pid.pid, pid.startTime)
    const settled = settleExit(task.paths, isWrapperAlive, pid && this.e.rootOf(task.meta.taskId, pid))
    if (!settled) return false
    if (!settled.decision.end) {
      this.askAgain(task, settled.decision.askAgainInMs)
      return false
    }
    this.endWatched(task, { exitCode: settled.exit.code, kill: readKillInfo(task.paths) })
    return true
  }

  /** Looks at the exit record again in `ms` (once: a timer already set stands). */
  private askAgain(task: Watched, ms: number): void {
    if (task.drainTimer) return
    task.drainTimer = setTimeout(
      () =>
        this.e.guard('waiting for the output to drain', () => {
          task.drainTimer = undefined
          if (this.e.watched.get(task.meta.taskId) === task) this.onExitRecord(task)
        }),
      ms,
    )
  }

  /**
   * The task's relay keeps its log under the cap (src/proc/spawn.ts). Where the file system cannot
   * punch holes it stops trimming; a log that grows well past its cap then gets the task killed.
   */
  checkOutputCap(task: Watched): void {
    const cap = task.meta.outputCapBytes ?? this.e.outputCapBytes
    if (cap === 0 || this.e.kills.has(task.meta.taskId) || readDiskUsage(task.paths) <= cap + CAP_SLACK_BYTES)
      return
    this.e.killing
      .startKill(task.paths, 'output_cap', 'output_cap', this.e.killGraceMs)
      .catch((error) =>
        this.e.logger.warn?.('output cap kill failed', { taskId: task.meta.taskId, error: String(error) }),
      )
  }

  unwatch(task: Watched): void {
    if (this.e.watched.get(task.meta.taskId) === task) this.e.watched.delete(task.meta.taskId)
    task.closeWatch()
    clearTimeout(task.deadline)
    clearTimeout(task.reminder)
    clearTimeout(task.drainTimer)
    task.child?.removeAllListeners('exit')
    task.child?.unref()
  }

  /** The reminder interval changed: every watched task's reminder starts again on the new one. */
  rearmReminders(): void {
    for (const task of this.e.watched.values()) {
      clearTimeout(task.reminder)
      task.reminder = undefined
      if (task.pid) this.armTimers(task)
    }
  }

  /** Stops every timer and watch of this manager (closing); the tasks keep running. */
  stopAll(): void {
    for (const timer of this.e.timers) clearInterval(timer)
    for (const timer of this.e.leftoverDeadlines.values()) clearTimeout(timer)
    this.e.closeSessionWatch()
    this.e.outputWatches.closeAll()
    for (const task of [...this.e.watched.values()]) this.unwatch(task)
  }
}

/** How far past its cap a log may grow before the task is killed: the relay could not trim it. */
export const CAP_SLACK_BYTES = 1024 * 1024

/** Every how many liveness sweeps /proc is read (start time and zombie state), not just kill(pid, 0). */
export const THOROUGH_SWEEP_EVERY = 8

export function undefinedIfSignal(code: number | null, signal: NodeJS.Signals | null): number | undefined {
  return signal || code === null ? undefined : code
}
