import { type ProcessUsage, readProcessUsage, type TaskManager } from '../index.js'

/** The last reading of each process: `ls --watch` shows CPU since the previous frame. */
let previous = new Map<number, ProcessUsage>()

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
  const usages = readProcessUsage([...new Set([...trees.values()].flat())], previous)
  previous = usages
  for (const [taskId, tree] of trees) {
    const usage: TreeUsage = { processes: 0, cpuPercent: 0, memoryBytes: 0 }
    for (const pid of tree) {
      const one = usages.get(pid)
      // A process that exited since the tree was read has nothing left to count.
      if (!one) continue
      usage.processes++
      usage.cpuPercent += one.cpuPercent
      usage.memoryBytes += one.memoryBytes
    }
    if (usage.processes > 0) out.set(taskId, usage)
  }
  return out
}

/** Forgets the readings kept for `ls --watch`. */
export function clearTreeUsage(): void {
  previous = new Map()
}
