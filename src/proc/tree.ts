import { isDeadStat, type ProcStat, readCommandLine } from './procfs.js'
import { ProcessSnapshot } from './snapshot.js'
import { WRAPPER_PROLOGUE } from './spawn.js'

export { ProcessSnapshot }

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
 * The wrapper of a task that has not recorded its pid: the live session leader carrying the
 * task's id (every wrapper starts a session of its own). Undefined when there is none.
 */
export function findWrapper(taskId: string, snapshot = ProcessSnapshot.shared()): ProcStat | undefined {
  for (const stat of snapshot.stats) {
    if (stat.session !== stat.pid || isDeadStat(stat) || snapshot.taskIdOf(stat) !== taskId) continue
    const now = snapshot.current(stat)
    if (now) return now
  }
  return undefined
}

/**
 * Every live process of a task: its process group, its session, descendants of the wrapper by
 * parent pid, and any process whose environment carries the task's id (a setsid or double-forked
 * grandchild). Zombies are left out: they are already dead.
 *
 * A look's processes may be as read at an earlier look, and a pid may name another process by
 * now; so every process is taken only once read as alive as itself, a parent's children are
 * followed only through parents alive as themselves, and a process counts by its group or
 * session only as it is now, and only while that number is surely the task's: its wrapper is
 * alive as itself, or a process carrying the task's id holds it (a pid is never handed out while
 * a group or session of that number exists; once the last member is gone it may be).
 */
export function collectTaskProcesses(root: TaskRoot, snapshot = ProcessSnapshot.shared()): ProcRef[] {
  const self = process.pid
  /** The task's processes as they are now. */
  const found = new Map<number, ProcStat>()
  const take = (stat: ProcStat): ProcStat | undefined => {
    // A process that started before the wrapper cannot be one of the task's.
    if (stat.pid === self || stat.startTime < root.startTime) return undefined
    const now = found.get(stat.pid) ?? snapshot.current(stat)
    if (now) found.set(now.pid, now)
    return now
  }
  for (const stat of snapshot.taggedWith(root.taskId, root.startTime)) take(stat)
  const rootStat = snapshot.get(root.pid)
  const wrapper = rootStat?.startTime === root.startTime ? take(rootStat) : undefined
  if (wrapper) {
    const queue = [wrapper]
    const seen = new Set<number>()
    while (queue.length > 0) {
      const parent = queue.pop()!
      if (seen.has(parent.pid)) continue
      seen.add(parent.pid)
      for (const child of snapshot.childrenOf(parent.pid)) {
        const now = take(child)
        if (now) queue.push(now)
      }
    }
  }
  const holds = (field: 'pgrp' | 'session', id: number): boolean =>
    wrapper !== undefined || [...found.values()].some((stat) => stat[field] === id)
  if (holds('pgrp', root.pgid))
    for (const stat of snapshot.inGroup(root.pgid)) if (snapshot.current(stat)?.pgrp === root.pgid) take(stat)
  if (holds('session', root.pid))
    for (const stat of snapshot.inSession(root.pid))
      if (snapshot.current(stat)?.session === root.pid) take(stat)
  const out: ProcRef[] = []
  const inOrder = [...found.values()].sort((a, b) => a.startTime - b.startTime || a.pid - b.pid)
  for (const now of inOrder) {
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
    const stat = found.get(proc.pid)
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
