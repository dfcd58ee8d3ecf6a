import { isDeadStat, type ProcStat } from './procfs.js'
import { type ProcessTable, processTable } from './table.js'

/** The processes of a look by the relations a task's processes are found by. */
export interface ProcessIndex {
  byPid: Map<number, ProcStat>
  children: Map<number, ProcStat[]>
  byGroup: Map<number, ProcStat[]>
  bySession: Map<number, ProcStat[]>
}

/**
 * One look at every process, shared by the questions asked of it: finding the processes of many
 * tasks costs one look, not one per task. A look brings the process table up to date
 * (src/proc/table.ts): it holds every process alive when the look began, but a process it did not
 * have to read again is as it was last read; ask `current` before trusting its state.
 */
export class ProcessSnapshot {
  /** Every process known to the look, some as read at an earlier look. */
  readonly stats: ProcStat[]
  /** When this look began (performance.now()): it sees every process born before then. */
  readonly takenAt: number
  /** The table's look this is. */
  private readonly look: number
  private readonly table: ProcessTable
  private index: ProcessIndex | undefined
  /** The look's processes, youngest first, and how far down their task ids have been read. */
  private youngestFirst: ProcStat[] | undefined
  private taggedUpTo = 0
  private readonly tagged = new Map<string, ProcStat[]>()
  private static current: ProcessSnapshot | undefined
  private static latest: ProcessSnapshot | undefined

  /** `table` is for tests: the process's own table by default. */
  constructor(table: ProcessTable = processTable) {
    this.table = table
    this.takenAt = performance.now()
    this.look = table.refresh()
    this.stats = table.stats()
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

  /** Built once per look: `ls` measuring 1000 running tasks asks the same look 1000 times. */
  getIndex(): ProcessIndex {
    if (!this.index) {
      const index: ProcessIndex = {
        byPid: new Map(),
        children: new Map(),
        byGroup: new Map(),
        bySession: new Map(),
      }
      for (const stat of this.stats) {
        index.byPid.set(stat.pid, stat)
        push(index.children, stat.ppid, stat)
        push(index.byGroup, stat.pgrp, stat)
        push(index.bySession, stat.session, stat)
      }
      this.index = index
    }
    return this.index
  }

  /**
   * The processes started at or after `since` (clock ticks since boot) that carry the task id in
   * their environment. Environments are read once per process, youngest first and only as far
   * back as a question needs: a task's processes are never older than its wrapper.
   */
  taggedWith(taskId: string, since: number): ProcStat[] {
    this.youngestFirst ??= [...this.stats].sort((a, b) => b.startTime - a.startTime)
    while (this.taggedUpTo < this.youngestFirst.length) {
      const stat = this.youngestFirst[this.taggedUpTo]!
      if (stat.startTime < since) break
      this.taggedUpTo++
      if (isDeadStat(stat)) continue
      const tag = this.table.taskIdOf(stat)
      if (tag !== undefined) push(this.tagged, tag, stat)
    }
    return (this.tagged.get(taskId) ?? []).filter((stat) => stat.startTime >= since)
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

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key)
  if (list) list.push(value)
  else map.set(key, [value])
}
