/** What a manager found about a task that has no terminal record. */
export interface FoundTask {
  hasPid: boolean
  exitCode: number | undefined
  isAlive: boolean
  isKilling: boolean
  /** The manager that created the task is still running (it may still be spawning it). */
  isCreatorAlive: boolean
  /** The deadline has passed (false when the task has none). */
  isOverdue: boolean
}

export type Recovery =
  | 'wait_for_spawn'
  | 'finish_spawn_aborted'
  | 'finish_from_exit'
  | 'finish_killed'
  | 'finish_lost'
  | 'kill_overdue'
  | 'continue_kill'
  | 'adopt'

/**
 * Decides what to do with a task found unfinished (at start-up, on a read, in a sweep).
 * The exit record wins over everything: it is what the task really did.
 */
export function planRecovery(found: FoundTask): Recovery {
  if (!found.hasPid) return found.isCreatorAlive ? 'wait_for_spawn' : 'finish_spawn_aborted'
  if (found.exitCode !== undefined && !found.isKilling) return 'finish_from_exit'
  if (!found.isAlive) {
    if (found.isKilling) return 'finish_killed'
    return found.exitCode !== undefined ? 'finish_from_exit' : 'finish_lost'
  }
  if (found.isKilling) return 'continue_kill'
  if (found.isOverdue) return 'kill_overdue'
  return 'adopt'
}
