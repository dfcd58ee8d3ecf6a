import fs from 'node:fs'
import path from 'node:path'
import { BgbashError } from '../errors.js'
import { resolveStoreRoot } from '../store/paths.js'
import { TaskStore } from '../store/task-store.js'
import { TaskManager, type TaskManagerOptions } from './task-manager.js'

/** The smallest disk cap: the relay keeps the log's head and steps of at least 4 KiB (blocks). */
const MIN_OUTPUT_CAP_BYTES = 64 * 1024

/** The session a manager uses when none is given: its project, so a restart finds its tasks again. */
export function getDefaultSessionId(projectRoot: string): string {
  return `project:${projectRoot}`
}

/**
 * Opens the store, reconciles the session's tasks (finishing those that ended unseen, killing
 * overdue ones, adopting the rest) and returns a manager that watches them.
 */
export async function openTaskManager(options: TaskManagerOptions = {}): Promise<TaskManager> {
  const projectRoot = resolveProjectRoot(options.projectRoot)
  const sessionId = options.sessionId ?? process.env.BGBASH_SESSION ?? getDefaultSessionId(projectRoot)
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
  const sessionDir = store.openSession(sessionId)
  const manager = new TaskManager(store, sessionId, sessionDir, projectRoot, options)
  manager.start(options)
  return manager
}

function resolveProjectRoot(projectRoot: string | undefined): string {
  const dir = path.resolve(projectRoot ?? process.cwd())
  try {
    return fs.realpathSync(dir)
  } catch (error) {
    throw new BgbashError('cwd_not_found', `Project root not found: ${dir}. Pass an existing directory.`, {
      cause: error,
    })
  }
}
