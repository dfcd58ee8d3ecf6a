import fs from 'node:fs'
import path from 'node:path'
import { storageError } from '../errors.js'
import type { LeftoverProcess } from '../types.js'
import { createDirExclusive, ensurePrivateDir, exists, readJsonIfExists, writeFileAtomic } from './fsx.js'
import { type LeftoversKilled, readLeftovers, readLeftoversKilled } from './leftover-records.js'
import {
  getSessionKey,
  getTaskPaths,
  isTaskId,
  mintTaskId,
  type TaskIdStyle,
  type TaskPaths,
} from './paths.js'
import {
  type EndInfo,
  type KillInfo,
  type PidInfo,
  readEndInfo,
  readKillInfo,
  readPidInfo,
  readPipelineStatus,
  readTaskMeta,
  type TaskMeta,
} from './records.js'

/** Tries before giving up on finding an unused task id (2^32 ids: a collision is already rare). */
const ID_ATTEMPTS = 16

/** Everything on disk about one task, read at one moment. */
export interface TaskFiles {
  paths: TaskPaths
  meta: TaskMeta
  pid: PidInfo | undefined
  kill: KillInfo | undefined
  end: EndInfo | undefined
  delivered: boolean
  /** Processes the command left running, as found when it ended (some may have exited since). */
  leftovers: LeftoverProcess[] | undefined
  killedLeftovers: LeftoversKilled | undefined
  /** The end was shown in the reply to the call that started it (kept 1 h, left out of default lists). */
  answeredInline: boolean
  /** Each stage's exit code, for a pipeline whose stages were recorded. */
  pipelineStatus: number[] | undefined
}

/** The name a project's directory is keyed by (also the previous layout's default session id). */
export function getProjectKeyName(projectRoot: string): string {
  return `project:${projectRoot}`
}

/** The directory tree of one store root (SPEC §3). */
export class TaskStore {
  readonly root: string
  readonly sessionsDir: string

  constructor(root: string) {
    this.root = root
    this.sessionsDir = path.join(root, 'sessions')
  }

  /**
   * Creates the root and sessions directories (0700) and the project's directory, which holds the
   * tasks of every owner in the project. Returns the project directory.
   */
  openProject(projectRoot: string): string {
    try {
      fs.mkdirSync(path.dirname(this.root), { recursive: true, mode: 0o700 })
    } catch (error) {
      throw storageError('create directory', path.dirname(this.root), error)
    }
    ensurePrivateDir(this.root)
    ensurePrivateDir(this.sessionsDir)
    const dir = this.getProjectDir(projectRoot)
    ensurePrivateDir(dir)
    const marker = path.join(dir, 'session.json')
    // A directory of the previous layout (a project's default session) is taken over in place.
    if (this.readSessionMarker(dir)?.projectRoot !== projectRoot)
      writeFileAtomic(
        marker,
        JSON.stringify({
          session_id: getProjectKeyName(projectRoot),
          project_root: projectRoot,
          created_at: Date.now(),
        }),
      )
    return dir
  }

  /**
   * Directory of a project's tasks (no I/O). Named by the hash of `project:<root>`: the name the
   * previous layout gave a project's default session, so its tasks are already where they belong.
   */
  getProjectDir(projectRoot: string): string {
    return path.join(this.sessionsDir, getSessionKey(getProjectKeyName(projectRoot)))
  }

  listSessionDirs(): string[] {
    try {
      return fs
        .readdirSync(this.sessionsDir, { withFileTypes: true })
        .filter((entry) => entry.isDirectory() && /^[0-9a-f]{16}$/.test(entry.name))
        .map((entry) => path.join(this.sessionsDir, entry.name))
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []
      throw storageError('list', this.sessionsDir, error)
    }
  }

  readSessionId(sessionDir: string): string | undefined {
    return this.readSessionMarker(sessionDir)?.sessionId
  }

  /** session.json of a directory: its key name, and the project root it holds (this layout only). */
  readSessionMarker(dir: string): { sessionId: string; projectRoot: string | undefined } | undefined {
    const raw = readJsonIfExists<{ session_id?: unknown; project_root?: unknown }>(
      path.join(dir, 'session.json'),
    )
    if (typeof raw?.session_id !== 'string') return undefined
    return {
      sessionId: raw.session_id,
      projectRoot: typeof raw.project_root === 'string' ? raw.project_root : undefined,
    }
  }

  listTaskIds(sessionDir: string): string[] {
    try {
      // Only real directories: a symlink planted in the store is never followed.
      return fs
        .readdirSync(sessionDir, { withFileTypes: true })
        .filter((entry) => entry.isDirectory() && isTaskId(entry.name))
        .map((entry) => entry.name)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []
      throw storageError('list', sessionDir, error)
    }
  }

  /** Finds a task by id in the given session directories (the id is already validated). */
  findTask(taskId: string, sessionDirs: readonly string[]): TaskPaths | undefined {
    for (const dir of sessionDirs) {
      const paths = getTaskPaths(dir, taskId)
      if (isRealDir(paths.dir) && exists(paths.task)) return paths
    }
    return undefined
  }

  /** Makes a new task directory under an id nobody has: the directory is created exclusively. */
  createTaskDir(sessionDir: string, style: TaskIdStyle): { taskId: string; paths: TaskPaths } {
    for (let attempt = 0; attempt < ID_ATTEMPTS; attempt++) {
      const taskId = mintTaskId(style)
      const paths = getTaskPaths(sessionDir, taskId)
      if (createDirExclusive(paths.dir)) return { taskId, paths }
    }
    throw storageError('create a unique task directory in', sessionDir, new Error('every id tried was taken'))
  }

  /**
   * Every record of a task, read at one moment. The directory is listed first and only the files
   * it holds are read: an ended task has up to six optional records, and opening a missing file
   * costs an exception (20–60 µs here), which made `ls` over 1000 tasks spend most of its time on
   * files that are not there.
   */
  readFiles(paths: TaskPaths): TaskFiles | undefined {
    const names = listNames(paths.dir)
    if (!names?.has('task.json')) return undefined
    const meta = readTaskMeta(paths, names.has('promoted'))
    if (!meta) return undefined
    const end = names.has('end.json') ? readEndInfo(paths) : undefined
    return {
      paths,
      meta,
      pid: names.has('pid.json') ? readPidInfo(paths) : undefined,
      kill: !end && names.has('kill.json') ? readKillInfo(paths) : undefined,
      end,
      delivered: end ? names.has('delivered') : false,
      leftovers: end && names.has('leftovers.json') ? readLeftovers(paths) : undefined,
      killedLeftovers: end && names.has('leftovers-killed.json') ? readLeftoversKilled(paths) : undefined,
      answeredInline: end ? names.has('answered') : false,
      pipelineStatus: end && names.has('pipeline-status') ? readPipelineStatus(paths) : undefined,
    }
  }

  removeTask(paths: TaskPaths): void {
    try {
      fs.rmSync(paths.dir, { recursive: true, force: true })
    } catch (error) {
      throw storageError('remove', paths.dir, error)
    }
  }
}

function isRealDir(dir: string): boolean {
  try {
    return fs.lstatSync(dir).isDirectory()
  } catch {
    return false
  }
}

/** The names in a directory, or undefined when it cannot be listed (gone, not a directory). */
function listNames(dir: string): Set<string> | undefined {
  try {
    return new Set(fs.readdirSync(dir))
  } catch {
    return undefined
  }
}
