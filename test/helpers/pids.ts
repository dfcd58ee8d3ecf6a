import fs from 'node:fs'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { isTaskId } from '../../src/index.js'
import { pollUntil } from './wait.js'

/** Ids of every task directory in a store. */
export function listStoreTaskIds(home: string): string[] {
  const sessions = path.join(home, 'sessions')
  const ids: string[] = []
  for (const session of safeReaddir(sessions)) {
    for (const name of safeReaddir(path.join(sessions, session))) if (isTaskId(name)) ids.push(name)
  }
  return ids
}

function safeReaddir(dir: string): string[] {
  try {
    return fs.readdirSync(dir)
  } catch {
    return []
  }
}

/** Pids of live processes whose environment carries one of the task ids. */
export function findTaskProcesses(taskIds: readonly string[]): number[] {
  if (taskIds.length === 0) return []
  const wanted = new Set(taskIds.map((id) => `BGBASH_TASK_ID=${id}`))
  const pids: number[] = []
  for (const name of safeReaddir('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue
    try {
      if (!isAlive(Number(name))) continue
      const entries = fs.readFileSync(`/proc/${name}/environ`, 'latin1').split('\0')
      if (entries.some((entry) => wanted.has(entry))) pids.push(Number(name))
    } catch {
      // Gone already.
    }
  }
  return pids
}

/** A process a test started itself, named by pid and kernel start time. */
export interface TrackedProcess {
  pid: number
  /** Undefined when it was gone before it was tracked. */
  startTime: number | undefined
}

/**
 * Kills every process started by any task of the store or carrying one of `taskIds`, plus the
 * processes the test tracked. A tracked process is killed only while its start time still
 * matches: its pid may belong to another process by now (the pid-reuse scenario hands pids out
 * again on purpose), and that one must not be hit.
 */
export async function killStoreProcesses(
  home: string,
  extra: readonly TrackedProcess[] = [],
  taskIds: readonly string[] = [],
): Promise<void> {
  const ids = [...listStoreTaskIds(home), ...taskIds]
  for (let round = 0; round < 20; round++) {
    const tracked = extra.filter((proc) => {
      const stat = readStat(proc.pid)
      return stat !== undefined && stat.startTime === proc.startTime && !isDead(stat)
    })
    const pids = [...findTaskProcesses(ids), ...tracked.map((proc) => proc.pid)]
    if (pids.length === 0) return
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL')
      } catch {
        // Already gone.
      }
    }
    await sleep(10)
  }
}

/** The fields of /proc/<pid>/stat that tests look at; undefined once the process is gone. */
function readStat(pid: number): { state: string; threads: number; startTime: number } | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1')
    // Field 3 of proc(5) first: state 3, num_threads 20, starttime 22.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return { state: fields[0]!, threads: Number(fields[17]), startTime: Number(fields[19]) }
  } catch {
    return undefined
  }
}

/** Dead, or a zombie whose threads have all exited (a threaded leader shows Z while they still exit). */
function isDead(stat: { state: string; threads: number }): boolean {
  return stat.state === 'X' || (stat.state === 'Z' && stat.threads <= 1)
}

/** The kernel start time of a process (field 22 of /proc/<pid>/stat); undefined once it is gone. */
export function readStartTime(pid: number): number | undefined {
  return readStat(pid)?.startTime
}

/** Names a process the test just started, to kill it later only if it is still that process. */
export function trackProcess(pid: number | undefined): TrackedProcess {
  if (pid === undefined) throw new Error('no pid to track')
  return { pid, startTime: readStartTime(pid) }
}

/**
 * False once the process is gone, dead, or a zombie whose threads have all exited (a threaded
 * process's leader shows Z while its other threads still exit and still hold its sockets).
 */
export function isAlive(pid: number): boolean {
  const stat = readStat(pid)
  return stat !== undefined && !isDead(stat)
}

/**
 * Resolves once none of these processes is alive. A task ends on `drained`, a moment before its
 * wrapper exits, and gc keeps a task whose process still lives: wait for the wrappers first.
 */
export async function waitUntilExited(pids: number[]): Promise<void> {
  await pollUntil(
    () => pids.filter(isAlive),
    (left) => left.length === 0,
    { what: `processes ${pids.join(', ')} to exit` },
  )
}

/** Tracks processes a test starts itself and kills the ones still alive when the test ends. */
export class PidTracker {
  private readonly processes: TrackedProcess[] = []

  track(pid: number | undefined): number {
    const tracked = trackProcess(pid)
    this.processes.push(tracked)
    return tracked.pid
  }

  async killAll(): Promise<void> {
    await killStoreProcesses('/nonexistent', this.processes)
  }
}
