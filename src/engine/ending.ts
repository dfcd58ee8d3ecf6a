import { BgbashError } from '../errors.js'
import { splitPipeline } from '../proc/pipeline.js'
import { ProcessSnapshot } from '../proc/tree.js'
import { readMtime } from '../store/fsx.js'
import type { TaskPaths } from '../store/paths.js'
import {
  buildTaskRecord,
  createEndInfo,
  type EndInfo,
  getDroppedBytes,
  type PidInfo,
  readDroppedInfo,
  readEndInfo,
  readExitRecord,
  readOutputSize,
  readPidInfo,
  readPipelineStatus,
  readTaskMeta,
  type TaskMeta,
} from '../store/records.js'
import type { LeftoverProcess, TaskRecord } from '../types.js'
import type { Engine } from './engine.js'
import { killLeftovers, recordLeftovers } from './leftovers.js'
import { decideOutcome, type EndFacts } from './outcome.js'
import type { WaitTarget } from './wait-for.js'

/** Ending: the one writer of a task's terminal record, and what follows it (leftovers, waiters, listeners). */
export class Ending {
  private readonly e: Engine

  constructor(e: Engine) {
    this.e = e
  }

  /**
   * Writes the terminal record of a task (first writer wins), stops watching it and tells
   * waiters and listeners. Synchronous, so two events of one manager never interleave here.
   */
  endTask(
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
    const task = this.e.watched.get(meta.taskId)
    if (task) this.e.watcher.unwatch(task)
    const record = buildTaskRecord(
      paths,
      meta,
      pid,
      undefined,
      end,
      false,
      { outputBytes: 0, droppedBytes: 0 },
      // Read only where it may have been written: a missing file costs an exception (20–60 µs).
      {
        leftovers,
        pipelineStatus:
          this.e.capturePipelineStatus && splitPipeline(meta.command) ? readPipelineStatus(paths) : undefined,
      },
    )
    const isOwedHere = options.deliver !== false && this.e.relationTo(meta) !== 'other'
    this.afterEnd(record, paths, isOwedHere)
    return record
  }

  /**
   * Looks for processes that outlived their task's shell, for every task that ended in the last
   * LEFTOVER_SCAN_DELAY_MS at once: one scan of every process (about 2 ms here) serves them all.
   */
  queueLeftoverScan(paths: TaskPaths, meta: TaskMeta, pid: PidInfo): void {
    this.e.leftoverQueue.push({ paths, meta, pid })
    if (this.e.leftoverQueue.length > 1) return
    const timer = setTimeout(() => {
      const queue = this.e.leftoverQueue.splice(0)
      const snapshot = new ProcessSnapshot()
      for (const ended of queue) this.scanLeftovers(ended.paths, ended.meta, ended.pid, snapshot)
    }, LEFTOVER_SCAN_DELAY_MS)
    timer.unref()
  }

  /** Records what an ended task left running, and holds its deadline over them. */
  scanLeftovers(
    paths: TaskPaths,
    meta: TaskMeta,
    pid: PidInfo,
    snapshot?: ProcessSnapshot,
  ): LeftoverProcess[] | undefined {
    try {
      const leftovers = recordLeftovers(paths, this.e.rootOf(meta.taskId, pid), snapshot)
      if (leftovers.length > 0) this.armLeftoverDeadline(paths, meta, pid)
      return leftovers.length > 0 ? leftovers : undefined
    } catch (error) {
      this.e.logger.warn?.('leftover scan failed', { taskId: meta.taskId, error: String(error) })
      return undefined
    }
  }

  /**
   * The task's deadline applies to what its command left running: at the deadline they are
   * killed (the task keeps its status and exit code; the kill is noted on its record).
   */
  armLeftoverDeadline(paths: TaskPaths, meta: TaskMeta, pid: PidInfo): void {
    if (meta.timeoutMs === 0 || this.e.leftoverDeadlines.has(meta.taskId) || this.e.closed || this.e.readOnly)
      return
    const remaining = Math.max(0, pid.startedAt + meta.timeoutMs - Date.now())
    const timer = setTimeout(() => {
      this.e.leftoverDeadlines.delete(meta.taskId)
      killLeftovers(paths, this.e.rootOf(meta.taskId, pid), {
        graceMs: this.e.killGraceMs,
        by: 'deadline',
      }).catch((error) =>
        this.e.logger.warn?.('leftover deadline kill failed', { taskId: meta.taskId, error: String(error) }),
      )
    }, remaining)
    this.e.leftoverDeadlines.set(meta.taskId, timer)
  }

  /** Tells waiters and output watches; when the task is owed here, also listeners (`deliver`). */
  afterEnd(record: TaskRecord, paths: TaskPaths, deliver: boolean): void {
    this.e.outputWatches.onTaskEnd(record.taskId)
    const waiting = this.e.waiters.get(record.taskId)
    if (waiting) {
      this.e.waiters.delete(record.taskId)
      for (const resolve of waiting) resolve(record)
    }
    if (!deliver) return
    if (record.notify) this.e.owed.add(record.taskId)
    this.e.emitSafely('task_ended', record)
    if (record.notify && this.e.manager.listenerCount('completion') > 0)
      this.e.delivery.deliver(record.taskId, paths, record)
  }

  /** Locates tasks to wait on; each comes with a promise of its terminal record. */
  waitTargets(taskIds: string[], allSessions = false): WaitTarget[] {
    if (!Array.isArray(taskIds) || taskIds.length === 0) {
      throw new BgbashError('invalid_request', 'Invalid task ids: pass a non-empty list of task ids.')
    }
    return taskIds
      .map((id) => this.e.locate(id, allSessions))
      .map((paths) => {
        const files = this.e.settle(this.e.readFilesOrThrow(paths))
        if (files.end) return { paths, ended: Promise.resolve(this.e.recordOf(files)) }
        const ended = new Promise<TaskRecord>((resolve) => {
          const list = this.e.waiters.get(files.meta.taskId) ?? []
          list.push(resolve)
          this.e.waiters.set(files.meta.taskId, list)
        })
        // After the waiter is in place: the watch's first look may find the task ended already
        // (its exit record landed since the read above) and end it at once.
        if (!this.e.watched.has(files.meta.taskId))
          this.e.watcher.watch(paths, files.meta, files.pid, undefined)
        return { paths, ended }
      })
  }
}

/** Tasks that end within this window share one scan for leftover processes. */
export const LEFTOVER_SCAN_DELAY_MS = 20
