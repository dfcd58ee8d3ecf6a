import fs from 'node:fs'
import { readProcStat } from './procfs.js'

/** CPU and memory of one process, as `ps` would show them. */
export interface ProcessUsage {
  /** Percent of one core: since `previous` was read when given, else over the process's life. */
  cpuPercent: number
  /** Resident memory. */
  memoryBytes: number
  /** CPU time used so far, and the system's uptime when read (both seconds): the next `previous`. */
  cpuSeconds: number
  at: number
}

/**
 * /proc counts CPU time in USER_HZ ticks, which the kernel fixes at 100 for every architecture it
 * exports to user space (sysconf(_SC_CLK_TCK) says the same).
 */
const TICKS_PER_SECOND = 100

/**
 * The page size /proc counts resident memory in: our own resident set in kB (/proc/self/status)
 * over the same in pages (/proc/self/statm), rounded to a power of two. 4 KiB where unreadable.
 */
function readPageSize(): number {
  try {
    const kb = Number(/^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync('/proc/self/status', 'latin1'))?.[1])
    const pages = Number(fs.readFileSync('/proc/self/statm', 'latin1').split(' ')[1])
    if (kb > 0 && pages > 0) return 2 ** Math.round(Math.log2((kb * 1024) / pages))
  } catch {}
  return 4096
}

let pageSize: number | undefined

/**
 * CPU and memory of each process still alive, read from its stat line: what `ls` shows for a
 * task's tree, without a process of its own to ask (pidusage ran two `getconf`).
 */
export function readProcessUsage(
  pids: readonly number[],
  previous?: ReadonlyMap<number, ProcessUsage>,
): Map<number, ProcessUsage> {
  const out = new Map<number, ProcessUsage>()
  if (pids.length === 0) return out
  pageSize ??= readPageSize()
  const uptime = Number(fs.readFileSync('/proc/uptime', 'latin1').split(' ')[0])
  for (const pid of pids) {
    const stat = readProcStat(pid)
    if (!stat) continue // gone since the tree was read
    const cpuSeconds = (stat.utime + stat.stime) / TICKS_PER_SECOND
    const before = previous?.get(pid)
    // A pid whose CPU time went down is another process now: measure it over its own life.
    const since =
      before && before.cpuSeconds <= cpuSeconds && before.at < uptime
        ? before
        : { cpuSeconds: 0, at: stat.startTime / TICKS_PER_SECOND }
    const seconds = uptime - since.at
    out.set(pid, {
      cpuPercent: seconds > 0 ? (100 * (cpuSeconds - since.cpuSeconds)) / seconds : 0,
      memoryBytes: stat.rss * pageSize,
      cpuSeconds,
      at: uptime,
    })
  }
  return out
}
