import fs from 'node:fs'
import { SCHEMA_VERSION } from '../constants.js'
import { BgbashError } from '../errors.js'
import { isProcessAlive } from '../proc/procfs.js'
import { collectTaskProcesses } from '../proc/tree.js'
import type { TaskFiles } from '../store/task-store.js'
import type { Engine } from './engine.js'

/** Retention of a task whose end was answered inline (the model saw it whole): 1 h. */
const RETENTION_ANSWERED_MS = 60 * 60 * 1000

import type { GcOptions, GcResult } from './options.js'

/** Retention: ended tasks past their time are removed; owed completions of live owners kept. */
export class Retention {
  private readonly e: Engine

  constructor(e: Engine) {
    this.e = e
  }

  /**
   * Removes ended tasks past their retention (24 h once delivered, 7 days while owed) in every
   * session, settles tasks nobody watches, and never removes a task whose process is alive.
   */
  async gc(options: GcOptions = {}): Promise<GcResult> {
    const now = options.now ?? Date.now()
    const removed: string[] = []
    if (this.e.readOnly && !options.dryRun) {
      throw new BgbashError(
        'invalid_request',
        'This manager is read-only: gc needs dryRun, or a manager without readOnly.',
      )
    }
    if (!options.dryRun) this.e.scope.migrateLegacy()
    for (const paths of this.e.scope.listTasks(options.allProjects === true)) {
      const { taskId } = paths
      if (!fs.existsSync(paths.task)) {
        removeIfStale(paths.dir, now, options.dryRun)
        continue
      }
      let files = this.e.readTaskFiles(paths)
      if (!files || files.meta.schemaVersion !== SCHEMA_VERSION) continue
      if (!files.end && !this.e.watched.has(taskId) && !options.dryRun) files = this.e.settle(files)
      if (!files.end) continue
      if (now - files.end.finishedAt < this.retentionOf(files, options.olderThanMs)) continue
      if (hasLiveProcess(files)) continue
      removed.push(taskId)
      if (!options.dryRun) {
        this.e.store.removeTask(paths)
        this.e.owed.delete(taskId)
      }
    }
    return { removed }
  }

  /**
   * How long an ended task is kept: `olderThanMs` when given, else 1 h when its end was answered
   * inline, 24 h once delivered and 7 days while owed. A completion still owed to a live owner (the manager that started the task runs)
   * is always kept its 7 days: a cleanup in one window never takes another client's notice.
   */
  retentionOf(files: TaskFiles, olderThanMs: number | undefined): number {
    const isOwed = files.meta.notify && !files.delivered
    if (isOwed && isProcessAlive(files.meta.createdBy, files.meta.createdByStart)) {
      return Math.max(olderThanMs ?? 0, this.e.retentionUndeliveredMs)
    }
    if (olderThanMs !== undefined) return olderThanMs
    if (isOwed) return this.e.retentionUndeliveredMs
    return files.answeredInline ? RETENTION_ANSWERED_MS : this.e.retentionDeliveredMs
  }
}

export function hasLiveProcess(files: TaskFiles): boolean {
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
export function removeIfStale(dir: string, now: number, dryRun = false): void {
  try {
    const stat = fs.lstatSync(dir)
    if (stat.isDirectory() && now - stat.mtimeMs > 60 * 60 * 1000 && !dryRun)
      fs.rmSync(dir, { recursive: true, force: true })
  } catch {
    // Already gone.
  }
}
