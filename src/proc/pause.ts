import { isProcessAlive, readProcStat } from './procfs.js'

/**
 * Stops (SIGSTOP) or continues (SIGCONT) a task's process group: the backpressure that keeps a
 * flooding task under its disk cap while the log is trimmed. The group leader is checked first,
 * so a reused group id is never signalled. Returns false when the group is gone.
 */
export function signalGroup(pid: number, startTime: number, signal: 'SIGSTOP' | 'SIGCONT'): boolean {
  if (readProcStat(pid)?.startTime !== startTime) return false
  try {
    process.kill(-pid, signal)
    return true
  } catch {
    // The group ended meanwhile: nothing to stop or continue.
    return false
  }
}

/** True when the group leader is stopped (a manager died while it was paused). */
export function isGroupStopped(pid: number, startTime: number): boolean {
  const stat = readProcStat(pid)
  return (
    stat !== undefined && stat.startTime === startTime && stat.state === 'T' && isProcessAlive(pid, startTime)
  )
}

/** Sends a signal to the wrapper alone (the task's group leader), after checking it is the same process. */
export function signalGroupLeader(pid: number, startTime: number, signal: NodeJS.Signals): boolean {
  if (!isProcessAlive(pid, startTime)) return false
  try {
    process.kill(pid, signal)
    return true
  } catch {
    // It exited meanwhile.
    return false
  }
}
