import fs from 'node:fs'
import path from 'node:path'
import { isProcessAlive } from '../proc/procfs.js'
import { getTaskPaths, type TaskPaths } from '../store/paths.js'
import { readEndInfo, readPidInfo, readTaskMeta, type TaskMeta } from '../store/records.js'
import { getProjectKeyName, type TaskStore } from '../store/task-store.js'
import { findProjectRoot } from './project.js'

/**
 * Where a project's tasks are on disk: its own directory, plus tasks of the previous layout
 * (a directory per session) that belong to it and still run. Visibility is the project: a task
 * found here may be read, waited for and killed by any client of the project.
 */
export class ProjectScope {
  readonly root: string
  readonly dir: string
  private readonly store: TaskStore
  /** Tasks of this project still in a directory of the previous layout, by id. */
  private legacy = new Map<string, TaskPaths>()

  constructor(store: TaskStore, projectRoot: string) {
    this.store = store
    this.root = projectRoot
    this.dir = store.getProjectDir(projectRoot)
  }

  /** Finds a task of this project by id (validated), or of any project with `anyProject`. */
  locate(taskId: string, anyProject = false): TaskPaths | undefined {
    const own = this.store.findTask(taskId, [this.dir])
    if (own) return own
    const legacy = this.legacy.get(taskId)
    if (legacy && fs.existsSync(legacy.task)) return legacy
    // A legacy task moved into its project directory since this scope looked.
    if (legacy) this.refreshLegacy()
    return anyProject ? this.store.findTask(taskId, this.store.listSessionDirs()) : this.legacy.get(taskId)
  }

  /** Every task directory of this project (or of every project), unordered. */
  listTasks(anyProject = false): TaskPaths[] {
    const dirs = anyProject ? this.store.listSessionDirs() : [this.dir]
    const out = dirs.flatMap((dir) => this.store.listTaskIds(dir).map((id) => getTaskPaths(dir, id)))
    if (!anyProject) out.push(...[...this.legacy.values()].filter((paths) => fs.existsSync(paths.task)))
    return out
  }

  /**
   * Moves this store's tasks of the previous layout into their projects' directories: every one
   * that has ended, or whose process is gone (nothing writes to it any more). A task still
   * running stays where its relay writes, and is found there until it ends. Directories left
   * empty are removed. Best effort: a task another manager moves or removes meanwhile is skipped.
   */
  migrateLegacy(): void {
    for (const { dir, sessionId } of listLegacyDirs(this.store)) {
      for (const taskId of this.store.listTaskIds(dir)) {
        const paths = getTaskPaths(dir, taskId)
        const meta = readTaskMeta(paths)
        if (!meta || isStillRunning(paths, meta)) continue
        const projectRoot = legacyProjectOf(sessionId, meta.projectRoot, meta.cwd)
        try {
          const target = this.store.openProject(projectRoot)
          fs.renameSync(paths.dir, path.join(target, taskId))
        } catch {
          // Moved or removed by another manager, or the store refuses: the next open tries again.
        }
      }
      if (this.store.listTaskIds(dir).length === 0) removeSessionDir(dir)
    }
    this.refreshLegacy()
  }

  /** Finds this project's tasks of the previous layout (open does this once, or migrateLegacy does). */
  refreshLegacy(): void {
    this.legacy = new Map()
    for (const { dir, sessionId } of listLegacyDirs(this.store)) {
      for (const taskId of this.store.listTaskIds(dir)) {
        const paths = getTaskPaths(dir, taskId)
        const meta = readTaskMeta(paths)
        if (meta && legacyProjectOf(sessionId, meta.projectRoot, meta.cwd) === this.root)
          this.legacy.set(taskId, paths)
      }
    }
  }
}

/**
 * Directories of the previous layout: sessions that are not a project's own directory. A project
 * directory says its root in session.json; one written before says only `project:<root>`, which
 * is still the project's own when that root is a project root today.
 */
function listLegacyDirs(store: TaskStore): Array<{ dir: string; sessionId: string }> {
  const out: Array<{ dir: string; sessionId: string }> = []
  for (const dir of store.listSessionDirs()) {
    const marker = store.readSessionMarker(dir)
    if (!marker || marker.projectRoot !== undefined) continue
    const { sessionId } = marker
    const root = sessionId.startsWith('project:') ? sessionId.slice('project:'.length) : undefined
    if (root !== undefined && getProjectKeyName(root) === sessionId && findProjectRoot(root) === root)
      continue
    out.push({ dir, sessionId })
  }
  return out
}

/** The project of a task of the previous layout: its default session's, else its cwd's. */
function legacyProjectOf(sessionId: string, projectRoot: string | undefined, cwd: string): string {
  if (projectRoot) return projectRoot
  if (sessionId.startsWith('project:')) return findProjectRoot(sessionId.slice('project:'.length))
  return findProjectRoot(cwd)
}

function isStillRunning(paths: TaskPaths, meta: TaskMeta): boolean {
  if (readEndInfo(paths)) return false
  const pid = readPidInfo(paths)
  if (!pid) return isProcessAlive(meta.createdBy, meta.createdByStart)
  return isProcessAlive(pid.pid, pid.startTime)
}

function removeSessionDir(dir: string): void {
  try {
    for (const name of fs.readdirSync(dir)) fs.rmSync(path.join(dir, name), { force: true, recursive: true })
    fs.rmdirSync(dir)
  } catch {
    // Another manager is using it, or removed it first.
  }
}
