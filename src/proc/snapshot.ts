import { isDeadStat, type ProcStat } from './procfs.js'
import { type ProcessTable, processTable } from './table.js'

/**
 * One look at every process, shared by the questions asked of it: finding the processes of many
 * tasks costs one look, not one per task. A look brings the process table up to date
 * (src/proc/table.ts): it holds every process alive when the look began, but a process it did not
 * have to read again is as it was last read; ask `current` before trusting its state. The
 * table's indexes (by parent, group, session, task id) are kept as it reads, not built per look.
 */
export class ProcessSnapshot {
  /** When this look began (performance.now()): it sees every process born before then. */
  readonly takenAt: number
  /** The table's look this is. */
  private readonly look: number
  private readonly table: ProcessTable
  private static current: ProcessSnapshot | undefined
  private static latest: ProcessSnapshot | undefined

  /** `table` is for tests: the process's own table by default. */
  constructor(table: ProcessTable = processTable) {
    this.table = table
    this.takenAt = performance.now()
    this.look = table.refresh()
  }

  /**
   * A snapshot taken in this same turn of the event loop, or a new one: questions asked together
   * (kills started at once, `ls` measuring every task) share one look. The next turn gets a fresh
   * look, so a kill's later rounds still see processes born meanwhile.
   */
  static shared(): ProcessSnapshot {
    if (!ProcessSnapshot.current) {
      ProcessSnapshot.current = new ProcessSnapshot()
      setImmediate(() => {
        ProcessSnapshot.current = undefined
      })
    }
    return ProcessSnapshot.current
  }

  /**
   * A look begun at or after `since` (performance.now()): the newest look when it is that recent,
   * else a new one. Each round of a kill needs to see what was born after its last signal; kills
   * running at once share their looks this way.
   */
  static since(since: number): ProcessSnapshot {
    const latest = ProcessSnapshot.latest
    if (latest && latest.takenAt >= since) return latest
    const look = new ProcessSnapshot()
    ProcessSnapshot.latest = look
    return look
  }

  /** Every process known to the look, some as read at an earlier look. */
  get stats(): ProcStat[] {
    return this.table.stats()
  }

  get(pid: number): ProcStat | undefined {
    return this.table.get(pid)
  }

  childrenOf(pid: number): ProcStat[] {
    return this.table.childrenOf(pid)
  }

  inGroup(id: number): ProcStat[] {
    return this.table.inGroup(id)
  }

  inSession(id: number): ProcStat[] {
    return this.table.inSession(id)
  }

  /** The processes started at or after `since` (clock ticks since boot) that carry the task id. */
  taggedWith(taskId: string, since: number): ProcStat[] {
    return this.table.taggedWith(taskId, since)
  }

  /** The task id in a process's environment, if any. */
  taskIdOf(stat: ProcStat): string | undefined {
    return this.table.taskIdOf(stat)
  }

  /** The process as it is now (read again if this look did not read it); undefined once it has exited. */
  current(stat: ProcStat): ProcStat | undefined {
    const now = this.table.current(stat, this.look)
    return now && !isDeadStat(now) ? now : undefined
  }
}
