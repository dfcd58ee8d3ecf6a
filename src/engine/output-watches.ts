import type { TaskPaths } from '../store/paths.js'
import { watchDirectory } from '../watch/dir-watcher.js'
import { type LogMatch, LogScanner } from '../watch/log-scanner.js'

/** Most output watches one task may have (AFT's limit). */
export const MAX_WATCHES_PER_TASK = 8

export interface OutputWatchEvent {
  watchId: string
  taskId: string
  /** `pattern_match` when the pattern appeared; `task_exit` when the task ended first (once-watches). */
  reason: 'pattern_match' | 'task_exit'
  match?: LogMatch
  once: boolean
}

interface Entry {
  watchId: string
  paths: TaskPaths
  scanner: LogScanner
  once: boolean
  onEvent: (event: OutputWatchEvent) => void
}

/**
 * Watches on tasks' output: each fires when its pattern appears (once, or every time), driven by
 * one directory watch per task that is shared by its watches.
 */
export class OutputWatches {
  private readonly byTask = new Map<string, { entries: Map<string, Entry>; close: () => void }>()
  private nextId = 1

  count(taskId: string): number {
    return this.byTask.get(taskId)?.entries.size ?? 0
  }

  add(paths: TaskPaths, pattern: RegExp, once: boolean, onEvent: (event: OutputWatchEvent) => void): string {
    const watchId = `watch-${String(this.nextId++).padStart(8, '0')}`
    let task = this.byTask.get(paths.taskId)
    if (!task) {
      const entries = new Map<string, Entry>()
      const close = watchDirectory(
        paths.dir,
        (name) => {
          if (name === 'output.log') this.scanTask(paths.taskId, false)
        },
        () => {},
      )
      task = { entries, close }
      this.byTask.set(paths.taskId, task)
    }
    task.entries.set(watchId, { watchId, paths, scanner: new LogScanner(paths, pattern), once, onEvent })
    // What was written before the watch counts too.
    queueMicrotask(() => this.scanTask(paths.taskId, false))
    return watchId
  }

  remove(taskId: string, watchId: string): boolean {
    const task = this.byTask.get(taskId)
    const removed = task?.entries.delete(watchId) ?? false
    if (task && task.entries.size === 0) {
      task.close()
      this.byTask.delete(taskId)
    }
    return removed
  }

  /** A task ended: a last scan, then once-watches that never matched report `task_exit`. */
  onTaskEnd(taskId: string): void {
    this.scanTask(taskId, true)
    const task = this.byTask.get(taskId)
    if (!task) return
    for (const entry of [...task.entries.values()]) {
      if (entry.once) entry.onEvent({ watchId: entry.watchId, taskId, reason: 'task_exit', once: true })
      this.remove(taskId, entry.watchId)
    }
  }

  closeAll(): void {
    for (const task of this.byTask.values()) task.close()
    this.byTask.clear()
  }

  private scanTask(taskId: string, isFinal: boolean): void {
    const task = this.byTask.get(taskId)
    if (!task) return
    for (const entry of [...task.entries.values()]) {
      for (let match = entry.scanner.scan(isFinal); match; match = entry.scanner.scan(isFinal)) {
        entry.onEvent({ watchId: entry.watchId, taskId, reason: 'pattern_match', match, once: entry.once })
        if (entry.once) {
          this.remove(taskId, entry.watchId)
          break
        }
      }
    }
  }
}
