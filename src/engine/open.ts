import { BgbashError } from '../errors.js'
import { readProcStat } from '../proc/procfs.js'
import { resolveStoreRoot } from '../store/paths.js'
import { TaskStore } from '../store/task-store.js'
import { getProcessOwnerId } from './ownership.js'
import { findProjectRoot, resolveExplicitProjectRoot } from './project.js'
import { ProjectScope } from './scope.js'
import { TaskManager, type TaskManagerOptions } from './task-manager.js'

/** The smallest disk cap: the relay keeps the log's head and steps of at least 4 KiB (blocks). */
const MIN_OUTPUT_CAP_BYTES = 64 * 1024

/**
 * The owner a manager uses when none is given: `project:<root>`, the project's own default owner
 * (the library's, and the previous version's default session).
 */
export function getDefaultSessionId(projectRoot: string): string {
  return `project:${projectRoot}`
}

/**
 * Opens the store, reconciles the project's tasks (finishing those that ended unseen, killing
 * overdue ones, adopting the rest) and returns a manager that watches them. With `readOnly` it
 * does none of that and writes nothing.
 */
export async function openTaskManager(options: TaskManagerOptions = {}): Promise<TaskManager> {
  const { cwd, projectRoot } = resolveProject(options)
  const client = checkClient(options)
  const sessionId = client
    ? getProcessOwnerId({ pid: process.pid, startTime: readProcStat(process.pid)?.startTime ?? 0 })
    : (options.sessionId ?? process.env.BGBASH_SESSION ?? getDefaultSessionId(projectRoot))
  if (typeof sessionId !== 'string' || sessionId === '' || sessionId.length > 1024) {
    throw new BgbashError(
      'invalid_request',
      'Invalid session id: use a non-empty string of at most 1024 characters.',
    )
  }
  for (const key of ['maxRunning', 'killGraceMs', 'outputCapBytes', 'longRunningMs'] as const) {
    const value = options[key]
    if (value !== undefined && (!Number.isSafeInteger(value) || value < 0)) {
      throw new BgbashError('invalid_request', `Invalid ${key}: ${value}. Use an integer ≥ 0.`)
    }
  }
  const cap = options.outputCapBytes
  if (cap !== undefined && cap > 0 && cap < MIN_OUTPUT_CAP_BYTES) {
    throw new BgbashError(
      'invalid_request',
      `Invalid outputCapBytes: ${cap}. Use 0 (no cap) or at least ${MIN_OUTPUT_CAP_BYTES} bytes.`,
    )
  }
  const store = new TaskStore(resolveStoreRoot(options.home))
  if (!options.readOnly) store.openProject(projectRoot)
  const scope = new ProjectScope(store, projectRoot)
  // A writing manager moves what it can of the previous layout; a reader only looks.
  if (options.readOnly) scope.refreshLegacy()
  else scope.migrateLegacy()
  const manager = new TaskManager(store, { sessionId, client }, scope, cwd, options)
  if (!options.readOnly) manager.start(options)
  return manager
}

/**
 * A client's project and default cwd: `projectRoot` as given (resolved), else the git repository
 * around `cwd` (default the process's cwd), else that directory. The one place that decides it.
 */
export function resolveProject(options: { projectRoot?: string; cwd?: string }): {
  cwd: string
  projectRoot: string
} {
  const explicitRoot =
    options.projectRoot === undefined ? undefined : resolveExplicitProjectRoot(options.projectRoot)
  const cwd =
    options.cwd === undefined ? (explicitRoot ?? process.cwd()) : resolveExplicitProjectRoot(options.cwd)
  return { cwd, projectRoot: explicitRoot ?? findProjectRoot(cwd) }
}

function checkClient(options: TaskManagerOptions): TaskManagerOptions['client'] {
  const { client } = options
  if (client === undefined) return undefined
  if (options.sessionId !== undefined) {
    throw new BgbashError('invalid_request', 'Invalid options: pass either sessionId or client, not both.')
  }
  if (
    typeof client !== 'object' ||
    client === null ||
    !Number.isSafeInteger(client.pid) ||
    !Number.isSafeInteger(client.startTime)
  ) {
    throw new BgbashError('invalid_request', 'Invalid client: pass { pid, startTime } of the client process.')
  }
  return { pid: client.pid, startTime: client.startTime }
}
