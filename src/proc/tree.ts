import { TASK_ENV_VAR } from '../constants.js'
import { isDeadStat, type ProcStat, readCommandLine, readEnvValue } from './procfs.js'
import { WRAPPER_PROLOGUE } from './spawn.js'
import { processTable } from './table.js'

/** A process to signal, named by pid and kernel start time so a reused pid is never hit. */
export interface ProcRef {
  pid: number
  startTime: number
  command: string
  /** The kernel's name of its program (comm): `sleep` under an argv[0] of `worker`. */
  name: string
  /**
   * The wrapper's own plumbing: the wrapper, its fork that runs the relay, and the tools the relay
   * runs. They end by themselves once the command's processes are gone.
   */
  plumbing?: boolean
}

export interface TaskRoot {
  taskId: string
  /** Pid of the wrapper: leader of the task's session and process group. */
  pid: number
  pgid: number
  /** Start time of the wrapper: processes older than it cannot belong to the task. */
  startTime: number
}

/**
 * One look at every process, shared by the questions asked of it: each process's environment
 * is read at most once, so finding the processes of many tasks costs one look, not one per task.
 * A look brings the process table up to date (src/proc/table.ts): it holds every process alive
 * when the look began, but a process it did not have to read again is as it was last read; ask
 * `current` before trusting its state.
 */
export class ProcessSnapshot {
  /** Every process known to the look, some as read at an earlier look. */
  readonly stats: ProcStat[]
  /** When this look began (performance.now()): it sees every process born before then. */
  readonly takenAt: number
  /** The table's look this is. */
  private readonly look: number
  private readonly startTimes = new Map<number, number>()
  private index: { children: Map<number, number[]>; byPid: Map<number, ProcStat> } | undefined
  private static current: ProcessSnapshot | undefined
  private static latest: ProcessSnapshot | undefined

  constructor() {
    this.takenAt = performance.now()
    this.look = processTable.refresh()
    this.stats = processTable.stats()
    for (const stat of this.stats) this.startTimes.set(stat.pid, stat.startTime)
    // Forget processes that are gone, so the cache stays the size of the process table.
    if (taskIdCache.size > 2 * this.stats.length + 64) {
      const live = new Set(this.stats.map((stat) => `${stat.pid}:${stat.startTime}`))
      for (const key of taskIdCache.keys()) if (!live.has(key)) taskIdCache.delete(key)
    }
  }

  /**
   * A snapshot taken in this same turn of the event loop, or a new one: questions asked together
   * (kills started at once, `ls` measuring every task) share one scan of /proc. The next turn
   * gets a fresh look, so a kill's later rounds still see processes born meanwhile.
   */
  /**
   * A look begun at or after `since` (performance.now()): the newest look when it is that recent,
   * else a new one. Each round of a kill needs to see what was born after its last signal; kills
   * running at once share their looks this way, so 100 kills cost a few scans of every process
   * (each about 100 ms with 4,000 processes here), not 300.
   */
  static since(since: number): ProcessSnapshot {
    const latest = ProcessSnapshot.latest
    if (latest && latest.takenAt >= since) return latest
    const look = new ProcessSnapshot()
    ProcessSnapshot.latest = look
    return look
  }

  /**
   * Children by parent pid and stat lines by pid, built once per look: `ls` measuring 100 running
   * tasks asks the same look 100 times.
   */
  getIndex(): { children: Map<number, number[]>; byPid: Map<number, ProcStat> } {
    if (!this.index) {
      const children = new Map<number, number[]>()
      for (const stat of this.stats) {
        const list = children.get(stat.ppid)
        if (list) list.push(stat.pid)
        else children.set(stat.ppid, [stat.pid])
      }
      this.index = { children, byPid: new Map(this.stats.map((stat) => [stat.pid, stat])) }
    }
    return this.index
  }

  /** The process as it is now (read again if this look did not read it); undefined once it has exited. */
  current(stat: ProcStat): ProcStat | undefined {
    const now = processTable.current(stat, this.look)
    return now && !isDeadStat(now) ? now : undefined
  }

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
   * The task id a process carries in its environment, if any. Read once per process (pid and
   * start time): a process's initial environment only changes when it execs, and a process that
   * belonged to a task before an exec still does.
   */
  getTaskId(pid: number): string | undefined {
    const key = `${pid}:${this.startTimes.get(pid)}`
    if (!taskIdCache.has(key)) taskIdCache.set(key, readEnvValue(pid, TASK_ENV_VAR))
    return taskIdCache.get(key)
  }
}

/**
 * The wrapper of a task that has not recorded its pid: the live session leader carrying the
 * task's id (every wrapper starts a session of its own). Undefined when there is none.
 */
export function findWrapper(taskId: string, snapshot = ProcessSnapshot.shared()): ProcStat | undefined {
  for (const stat of snapshot.stats) {
    if (stat.session !== stat.pid || isDeadStat(stat) || snapshot.getTaskId(stat.pid) !== taskId) continue
    const now = snapshot.current(stat)
    if (now) return now
  }
  return undefined
}

/** Task ids found in processes' environments, by `pid:startTime`, shared by every snapshot. */
const taskIdCache = new Map<string, string | undefined>()

/**
 * Every live process of a task: its process group, its session, descendants of the wrapper by
 * parent pid, and any process whose environment carries the task's id (a setsid or double-forked
 * grandchild). Zombies are left out: they are already dead.
 */
export function collectTaskProcesses(root: TaskRoot, snapshot = ProcessSnapshot.shared()): ProcRef[] {
  const { stats } = snapshot
  const self = process.pid
  const members = new Set<number>()
  const { children, byPid } = snapshot.getIndex()
  const rootStat = byPid.get(root.pid)
  const rootIsOurs = rootStat !== undefined && rootStat.startTime === root.startTime
  if (rootIsOurs) {
    const queue = [root.pid]
    while (queue.length > 0) {
      const pid = queue.pop()!
      if (members.has(pid)) continue
      members.add(pid)
      for (const child of children.get(pid) ?? []) queue.push(child)
    }
  }
  const out: ProcRef[] = []
  /** The members as they are now. */
  const current = new Map<number, ProcStat>()
  for (const stat of stats) {
    if (stat.pid === self || isDeadStat(stat)) continue
    // A process that started before the wrapper cannot be one of the task's.
    if (stat.startTime < root.startTime) continue
    const belongs =
      members.has(stat.pid) ||
      // A pid is never handed out while a group or session of that number exists, so with the
      // start-time filter above these hold even after the wrapper itself has gone.
      stat.pgrp === root.pgid ||
      stat.session === root.pid ||
      snapshot.getTaskId(stat.pid) === root.taskId
    if (!belongs) continue
    // Membership holds from any reading (a process that leaves the group or loses its parent is
    // still the task's); whether it still runs, and what it runs, are read now.
    const now = snapshot.current(stat)
    if (!now) continue
    current.set(now.pid, now)
    const command = readCommandLine(now.pid, now.comm)
    out.push({
      pid: now.pid,
      startTime: now.startTime,
      command,
      name: now.comm,
      plumbing: isWrapperLine(command),
    })
  }
  // The relay's tools are children of the relay's fork. The command is a child of the wrapper
  // itself, so a command that is one of those tools (`bash -c 'cat f'` execs cat) is not taken
  // for plumbing.
  const relays = new Set(out.filter((proc) => proc.plumbing && proc.pid !== root.pid).map((proc) => proc.pid))
  for (const proc of out) {
    const stat = current.get(proc.pid)
    if (stat && relays.has(stat.ppid) && RELAY_TOOLS.has(stat.comm)) proc.plumbing = true
    // Plumbing is named in a few words, never by its script (the wrapper's command line is it).
    if (proc.plumbing) proc.command = describePlumbing(proc.pid === root.pid, stat?.comm)
  }
  return out
}

/** What a process of bgbash's own plumbing is, for a person or a model reading a process list. */
function describePlumbing(isWrapper: boolean, comm: string | undefined): string {
  if (isWrapper) return 'bgbash wrapper (sh: records the exit code)'
  if (comm && RELAY_TOOLS.has(comm)) return `bgbash output relay (${comm})`
  return 'bgbash output relay (sh: copies the output to the log)'
}

/** Programs the wrapper's relay runs (src/proc/spawn.ts); `cat` copies an uncapped log. */
const RELAY_TOOLS = new Set(['dd', 'head', 'wc', 'stat', 'mv', 'fallocate', 'cat'])

/** The wrapper and every fork of it show the same command line: `/bin/sh -c <wrapper> …`. */
function isWrapperLine(command: string): boolean {
  return command.startsWith(`/bin/sh -c ${WRAPPER_PROLOGUE}`)
}

/**
 * Processes of a task that outlived its command: every process of the task but the wrapper's
 * plumbing, which stays only while a leftover holds the output pipe.
 */
export function collectLeftovers(root: TaskRoot, snapshot = ProcessSnapshot.shared()): ProcRef[] {
  return collectTaskProcesses(root, snapshot).filter((proc) => !proc.plumbing)
}
