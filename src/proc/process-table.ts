import fs from 'node:fs'
import { listPids, type ProcStat, readProcStat } from './procfs.js'

/** A table older than this is read whole again: the pid numbers may have gone round meanwhile. */
const MAX_AGE_MS = 1000

/**
 * Every process's stat line, brought up to date by reading only what may have changed. The kernel
 * hands out pids one after another from its cursor (`ns_last_pid`), wrapping at `pid_max`. Between
 * two looks a second or less apart, a pid the table holds can name a new process only if the cursor
 * passed it (the cyclic range from the old cursor to the new one); a pid it does not hold is new.
 * So a look reads those, the cursor and the directory listing, and keeps the rest: with 4,000
 * processes, a few reads instead of 4,000 (about 100 ms on this VM, where a syscall is slow). A
 * cursor set by hand (writing `ns_last_pid`, as the pid-reuse chaos test does) moves it too, so the
 * pid it hands out again is read. A cached line's state and parent may be old: a process that is
 * found to belong to a task is read again before it counts (`collectTaskProcesses`).
 */
export class ProcessTable {
  private stats = new Map<number, ProcStat>()
  private cursor = -1
  private readAt = Number.NEGATIVE_INFINITY

  read(): ProcStat[] {
    const now = performance.now()
    const cursor = readCursor()
    const isWhole = cursor === undefined || this.cursor < 0 || now - this.readAt > MAX_AGE_MS
    const from = this.cursor
    const next = new Map<number, ProcStat>()
    for (const pid of listPids()) {
      const known = isWhole || isInCyclicRange(pid, from, cursor as number) ? undefined : this.stats.get(pid)
      const stat = known ?? readProcStat(pid)
      if (stat) next.set(pid, stat)
    }
    this.stats = next
    this.cursor = cursor ?? -1
    this.readAt = now
    return [...next.values()]
  }
}

/** True when `pid` lies in the cyclic range (from, to]: the pids handed out since the cursor was at `from`. */
export function isInCyclicRange(pid: number, from: number, to: number): boolean {
  if (from === to) return false
  return from < to ? pid > from && pid <= to : pid > from || pid <= to
}

function readCursor(): number | undefined {
  try {
    const value = Number.parseInt(fs.readFileSync('/proc/sys/kernel/ns_last_pid', 'latin1'), 10)
    return Number.isSafeInteger(value) ? value : undefined
  } catch {
    // Not readable here: every look reads every process.
    return undefined
  }
}
