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
  // pidusage's first call learns the clock tick and page size from two getconf processes: they
  // run while this process reads /proc for the trees, and the call below reuses what they said.
  const warmedUp = loaded(process.pid).catch(() => undefined)
  // Asked together, so every task's tree comes from one look at /proc.
  const looks = await Promise.allSettled(taskIds.map((taskId) => tm.planKill(taskId, { allSessions: true })))
  const trees = new Map<string, number[]>()
  looks.forEach((look, i) => {
    // A task that ended or was removed between the list and this look has no usage to show.
    if (look.status === 'fulfilled')
      trees.set(
        taskIds[i]!,
        look.value.map((proc) => proc.pid),
      )
  })
  // One call for every pid: pidusage reads the uptime once per call (and, before the first call
  // has finished, starts its getconf processes again), so a call per pid did that 400 times over.
  const pids = [...new Set([...trees.values()].flat())]
  await warmedUp
  // It fails as a whole only when every pid is gone (a single one: when that one is).
  const stats = pids.length === 0 ? {} : await loaded(pids).catch(() => ({}))
  for (const [taskId, tree] of trees) {
    const usage: TreeUsage = { processes: 0, cpuPercent: 0, memoryBytes: 0 }
    for (const pid of tree) {
      const stat = stats[pid]
      // A process that exited since the tree was read has nothing left to count.
      if (!stat) continue
      usage.processes++
      usage.cpuPercent += stat.cpu
      usage.memoryBytes += stat.memory
    }
    if (usage.processes > 0) out.set(taskId, usage)
  }
  return out
}

/** Forgets pidusage's per-pid history (it keeps a timer alive otherwise). */
export function clearTreeUsage(): void {
  loaded?.clear()
}
