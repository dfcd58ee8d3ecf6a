import type pidusage from 'pidusage'
import type { TaskManager } from '../index.js'

/** pidusage, imported by the first measure: `ls` with no running task never loads it. */
let loaded: typeof pidusage | undefined

/** CPU and memory of a running task's whole tree: group, session, descendants. */
export interface TreeUsage {
  processes: number
  /** Percent of one core, summed over the tree. */
  cpuPercent: number
  memoryBytes: number
}

/** Measures each running task's tree; tasks whose tree is gone are left out. */
export async function readTreeUsage(tm: TaskManager, taskIds: string[]): Promise<Map<string, TreeUsage>> {
  const out = new Map<string, TreeUsage>()
  if (taskIds.length === 0) return out
  loaded ??= (await import('pidusage')).default
  const pidusage = loaded
  // pidusage learns the clock tick and page size (two getconf processes) on its first call;
  // calls made before that each start their own: 1000 pids made 400 getconf processes.
  await pidusage(process.pid).catch(() => undefined)
  await Promise.all(
    taskIds.map(async (taskId) => {
      let processes: Array<{ pid: number }>
      try {
        processes = await tm.planKill(taskId, { allSessions: true })
      } catch {
        // The task ended or was removed between the list and this look: no usage to show.
        return
      }
      const stats = await Promise.allSettled(processes.map((proc) => pidusage(proc.pid)))
      const usage: TreeUsage = { processes: 0, cpuPercent: 0, memoryBytes: 0 }
      for (const stat of stats) {
        // A process that exited since the tree was read has nothing left to count.
        if (stat.status !== 'fulfilled') continue
        usage.processes++
        usage.cpuPercent += stat.value.cpu
        usage.memoryBytes += stat.value.memory
      }
      if (usage.processes > 0) out.set(taskId, usage)
    }),
  )
  return out
}

/** Forgets pidusage's per-pid history (it keeps a timer alive otherwise). */
export function clearTreeUsage(): void {
  loaded?.clear()
}
