import fs from 'node:fs'
import { TASK_ENV_VAR } from '../constants.js'
import { listPids, type ProcStat, readEnvValue, readProcStat } from './procfs.js'

// Every process of the machine, kept up to date by reading only what changed since the last
// look. A look at every process costs a stat read each (4,000 processes: 50–100 ms here); a kill
// needs two or three looks, and 1000 running tasks mean 4,000 processes. Between two looks, the
// kernel hands out pids in order: the new processes are the pids after the last one it handed out
// at the previous look (/proc/loadavg), up to the last one now. Only those are read, unless so
// many processes were started meanwhile that the numbers may have come round again.

/** A process as the table last read it, and the look that read it. */
interface Entry {
  stat: ProcStat
  look: number
  /** The task id in its environment (null: none); read when first asked. */
  taskId?: string | null
}

/** What the table reads: /proc, or a made-up machine in tests. */
export interface ProcSource {
  counters(): Counters | undefined
  /** Pids of every process (not threads). */
  list(): number[]
  stat(pid: number): ProcStat | undefined
  /** The task id in a process's environment. */
  taskId(pid: number): string | undefined
  pidMax(): number
}

/** Where pid numbers stand: the last one handed out, and how many forks there have been. */
export interface Counters {
  lastPid: number
  forks: number
  /** Threads on the machine (the allocator skips their ids too). */
  threads: number
}

/** New pids up to this many are read one by one; more, and the pid list is read as well. */
const PROBE_LIMIT = 1024

/** Forks that may fall between reading the last pid and reading the fork count. */
const COUNTER_SLACK = 8

export class ProcessTable {
  private readonly entries = new Map<number, Entry>()
  /** Pids by parent, group and session as last read, and by the task id they carry. */
  private readonly children = new Map<number, Set<number>>()
  private readonly groups = new Map<number, Set<number>>()
  private readonly sessions = new Map<number, Set<number>>()
  private readonly tagged = new Map<string, Set<number>>()
  /** Pids whose environment has not been read yet. */
  private readonly untagged = new Set<number>()
  private serial = 0
  private counters: Counters | undefined
  /** Entries after the last look that listed every pid: the table is pruned when it doubles. */
  private listedSize = 0
  private readonly source: ProcSource
  private readonly pidMax: number

  /** `source` is for tests: /proc by default. */
  constructor(source: Partial<ProcSource> = {}) {
    this.source = { ...procfs, ...source }
    this.pidMax = this.source.pidMax()
  }

  /** Every process the table knows of, as last read (some may have exited since). */
  stats(): ProcStat[] {
    const out: ProcStat[] = []
    for (const entry of this.entries.values()) out.push(entry.stat)
    return out
  }

  get size(): number {
    return this.entries.size
  }

  /** The process of this pid as last read. */
  get(pid: number): ProcStat | undefined {
    return this.entries.get(pid)?.stat
  }

  /** Processes whose parent (as last read) is `pid`. */
  childrenOf(pid: number): ProcStat[] {
    return this.statsOf(this.children.get(pid))
  }

  /** Processes in group `id` (as last read). */
  inGroup(id: number): ProcStat[] {
    return this.statsOf(this.groups.get(id))
  }

  /** Processes in session `id` (as last read). */
  inSession(id: number): ProcStat[] {
    return this.statsOf(this.sessions.get(id))
  }

  /**
   * The processes started at or after `since` (clock ticks since boot) that carry the task id in
   * their environment. An environment is read once per process, when a question first reaches
   * back to its start: a task's processes are never older than its wrapper.
   */
  taggedWith(taskId: string, since: number): ProcStat[] {
    for (const pid of this.untagged) {
      const entry = this.entries.get(pid)
      if (entry && entry.stat.startTime >= since) this.readTaskId(pid, entry)
    }
    return this.statsOf(this.tagged.get(taskId)).filter((stat) => stat.startTime >= since)
  }

  /**
   * Brings the table up to date: after it, every process alive when it began is in the table,
   * read at its birth or later. Returns the number of this look.
   */
  refresh(): number {
    this.serial++
    const before = this.counters
    const now = this.source.counters()
    this.counters = now
    if (!before || !now || this.mayHaveLapped(before, now)) {
      this.readAll()
      return this.serial
    }
    const fresh = this.pidsBetween(before.lastPid, now.lastPid)
    // Each fork takes one of the numbers passed; more forks than numbers, and the pids did not
    // come in order: the counter was set by hand (ns_last_pid, as CRIU does), or forks in other
    // pid namespaces are counted too (a container). Nothing held can be trusted then. (A few
    // forks between reading the last pid and the fork count are counted in the next look.)
    if (now.forks - before.forks > fresh.length + COUNTER_SLACK) this.readAll()
    else if (fresh.length <= PROBE_LIMIT && this.entries.size <= 2 * this.listedSize + 64) {
      for (const pid of fresh) this.read(pid)
    } else this.readListed(new Set(fresh))
    return this.serial
  }

  /**
   * The process now, read again when the table's copy is older than look `since`; undefined once
   * it has exited (or its pid is another process's).
   */
  current(stat: ProcStat, since: number): ProcStat | undefined {
    const entry = this.entries.get(stat.pid)
    if (entry && entry.look >= since) return entry.stat.startTime === stat.startTime ? entry.stat : undefined
    const now = this.read(stat.pid)
    return now && now.startTime === stat.startTime ? now : undefined
  }

  /**
   * The task id a process carries in its environment, if any. Read once per process: its initial
   * environment only changes when it execs, and a process that belonged to a task before an exec
   * still does.
   */
  taskIdOf(stat: ProcStat): string | undefined {
    const entry = this.entries.get(stat.pid)
    if (!entry || entry.stat.startTime !== stat.startTime) return this.source.taskId(stat.pid)
    return this.readTaskId(stat.pid, entry)
  }

  private readTaskId(pid: number, entry: Entry): string | undefined {
    if (entry.taskId === undefined) {
      entry.taskId = this.source.taskId(pid) ?? null
      this.untagged.delete(pid)
      if (entry.taskId !== null) add(this.tagged, entry.taskId, pid)
    }
    return entry.taskId ?? undefined
  }

  /** Reads one process into the table (or drops it when it is gone). */
  private read(pid: number): ProcStat | undefined {
    const stat = this.source.stat(pid)
    const before = this.entries.get(pid)
    // A thread has an id from the same numbers but is not a process: its exit signal is -1.
    if (!stat || stat.exitSignal === -1) {
      if (before) this.forget(pid, before)
      return undefined
    }
    const same = before?.stat.startTime === stat.startTime
    if (before) this.unindex(pid, before.stat, same ? undefined : before.taskId)
    const entry: Entry = { stat, look: this.serial, taskId: same ? before.taskId : undefined }
    this.entries.set(pid, entry)
    add(this.children, stat.ppid, pid)
    add(this.groups, stat.pgrp, pid)
    add(this.sessions, stat.session, pid)
    if (entry.taskId === undefined) this.untagged.add(pid)
    return stat
  }

  private forget(pid: number, entry: Entry): void {
    this.entries.delete(pid)
    this.unindex(pid, entry.stat, entry.taskId)
  }

  /** Takes a reading out of the indexes (and its task id, when given: another process now). */
  private unindex(pid: number, stat: ProcStat, taskId: string | null | undefined): void {
    remove(this.children, stat.ppid, pid)
    remove(this.groups, stat.pgrp, pid)
    remove(this.sessions, stat.session, pid)
    this.untagged.delete(pid)
    if (taskId) remove(this.tagged, taskId, pid)
  }

  private statsOf(pids: Set<number> | undefined): ProcStat[] {
    const out: ProcStat[] = []
    for (const pid of pids ?? []) {
      const entry = this.entries.get(pid)
      if (entry) out.push(entry.stat)
    }
    return out
  }

  /** Every pid listed in /proc, each read again. */
  private readAll(): void {
    for (const [pid, entry] of this.entries) this.forget(pid, entry)
    for (const pid of this.source.list()) this.read(pid)
    this.listedSize = this.entries.size
  }

  /** Lists /proc: drops what is gone, reads what is new and the pids handed out since the last look. */
  private readListed(fresh: Set<number>): void {
    const listed = new Set(this.source.list())
    for (const [pid, entry] of this.entries) if (!listed.has(pid)) this.forget(pid, entry)
    for (const pid of listed) if (fresh.has(pid) || !this.entries.has(pid)) this.read(pid)
    this.listedSize = this.entries.size
  }

  /** Pids handed out after `from` up to `to`, in the order the kernel hands them out. */
  private pidsBetween(from: number, to: number): number[] {
    const out: number[] = []
    if (to >= from) for (let pid = from + 1; pid <= to; pid++) out.push(pid)
    else {
      for (let pid = from + 1; pid < this.pidMax; pid++) out.push(pid)
      for (let pid = 1; pid <= to; pid++) out.push(pid)
    }
    return out
  }

  /**
   * True when pid numbers may have come round since the last look, so that a pid the table holds
   * may be another process now without being among those handed out since. The allocator moves
   * on by one per fork plus one per id it skips because it is in use; with half the numbers
   * spare for the ids that came and went between two looks, it cannot have gone round.
   */
  private mayHaveLapped(before: Counters, now: Counters): boolean {
    const forks = now.forks - before.forks
    return forks < 0 || forks + 2 * Math.max(before.threads, now.threads) + 300 >= this.pidMax / 2
  }
}

/** The highest pid plus one (/proc/sys/kernel/pid_max); the kernel's default where unreadable. */
function readPidMax(): number {
  try {
    const value = Number(fs.readFileSync('/proc/sys/kernel/pid_max', 'latin1').trim())
    if (Number.isInteger(value) && value > 0) return value
  } catch {}
  return 32_768
}

/** Undefined where /proc does not say: then every look lists every process. */
export function readCounters(): Counters | undefined {
  try {
    // "0.46 1.96 2.78 1/83 16103": the last field is the last pid handed out, after the slash the threads.
    const loadavg = fs.readFileSync('/proc/loadavg', 'latin1').trim().split(' ')
    const threads = Number(loadavg[3]?.split('/')[1])
    const lastPid = Number(loadavg[4])
    const forks = Number(/^processes (\d+)$/m.exec(fs.readFileSync('/proc/stat', 'latin1'))?.[1])
    if (![threads, lastPid, forks].every(Number.isInteger)) return undefined
    return { lastPid, forks, threads }
  } catch {
    return undefined
  }
}

function add<K>(map: Map<K, Set<number>>, key: K, pid: number): void {
  const set = map.get(key)
  if (set) set.add(pid)
  else map.set(key, new Set([pid]))
}

function remove<K>(map: Map<K, Set<number>>, key: K, pid: number): void {
  const set = map.get(key)
  if (!set) return
  set.delete(pid)
  if (set.size === 0) map.delete(key)
}

const procfs: ProcSource = {
  counters: readCounters,
  list: listPids,
  stat: readProcStat,
  taskId: (pid) => readEnvValue(pid, TASK_ENV_VAR),
  pidMax: readPidMax,
}

/** The one table of this process: every look at processes goes through it. */
export const processTable = new ProcessTable()
