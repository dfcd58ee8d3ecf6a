import fs from 'node:fs'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'

/** Ids of every task directory in a store. */
export function listStoreTaskIds(home: string): string[] {
  const sessions = path.join(home, 'sessions')
  const ids: string[] = []
  for (const session of safeReaddir(sessions)) {
    for (const name of safeReaddir(path.join(sessions, session)))
      if (/^bgb-[0-9a-f]{8}$/.test(name)) ids.push(name)
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

/** Kills every process started by any task of the store, plus extra pids the test tracked. */
export async function killStoreProcesses(home: string, extra: readonly number[] = []): Promise<void> {
  const ids = listStoreTaskIds(home)
  for (let round = 0; round < 20; round++) {
    const pids = [...findTaskProcesses(ids), ...extra.filter(isAlive)]
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

/**
 * False once the process is gone, dead, or a zombie whose threads have all exited (a threaded
 * process's leader shows Z while its other threads still exit and still hold its sockets).
 */
export function isAlive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    const [state, threads] = [fields[0], Number(fields[17])]
    return !(state === 'X' || (state === 'Z' && threads <= 1))
  } catch {
    return false
  }
}

/** Tracks pids a test starts itself and kills the ones still alive when the test ends. */
export class PidTracker {
  private readonly pids = new Set<number>()

  track(pid: number | undefined): number {
    if (pid === undefined) throw new Error('no pid to track')
    this.pids.add(pid)
    return pid
  }

  async killAll(): Promise<void> {
    await killStoreProcesses('/nonexistent', [...this.pids])
  }
}
