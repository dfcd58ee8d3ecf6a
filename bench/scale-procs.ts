// What the scale bench reads about processes and itself, and the net that kills whatever a
// bench task left running. Linux only, like the figures it measures (/proc).
import fs from 'node:fs'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'

/** One task's process group as its pid.json names it. */
export interface TaskGroup {
  pgid: number
  /** Kernel start ticks of the wrapper: processes older than it are not the task's. */
  startTime: number
}

interface ProcLine {
  pid: number
  pgrp: number
  startTime: number
  state: string
}

/** "No descriptor per task": what a manager may hold beyond its count before any task. */
export const FD_SLACK = 8

/** Open file descriptors of this process (the listing's own descriptor included, in every count alike). */
export function countOpenFds(): number {
  return fs.readdirSync('/proc/self/fd').length
}

/** What this process's descriptors point at, counted by kind (anon_inode:inotify, pipe, a path's directory). */
export function describeOpenFds(): Record<string, number> {
  const kinds: Record<string, number> = {}
  for (const fd of fs.readdirSync('/proc/self/fd')) {
    let target: string
    try {
      target = fs.readlinkSync(`/proc/self/fd/${fd}`)
    } catch {
      continue // The listing's own descriptor, closed by now.
    }
    const kind = target.startsWith('/')
      ? `${path.basename(target)} in ${path.dirname(path.dirname(target))}`
      : target.replace(/\[\d+\]$/, '')
    kinds[kind] = (kinds[kind] ?? 0) + 1
  }
  return kinds
}

/** Resident set size of this process in MiB. */
export function readRssMiB(): number {
  return process.memoryUsage().rss / 2 ** 20
}

/** CPU this process uses while it waits `ms` doing nothing, in % of one core. */
export async function measureIdleCpu(ms: number): Promise<number> {
  const before = process.cpuUsage()
  const t0 = performance.now()
  await sleep(ms)
  const used = process.cpuUsage(before)
  const wallMs = performance.now() - t0
  return ((used.user + used.system) / 1000 / wallMs) * 100
}

function readProcTable(): ProcLine[] {
  const out: ProcLine[] = []
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    let text: string
    try {
      text = fs.readFileSync(`/proc/${name}/stat`, 'utf8')
    } catch {
      continue // Gone since the listing.
    }
    // Fields after the command name, which may itself hold spaces and parentheses.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ')
    out.push({
      pid: Number(name),
      state: fields[0] ?? '',
      pgrp: Number(fields[2]),
      startTime: Number(fields[19]),
    })
  }
  return out
}

/** The process groups of every task in a store that got as far as its pid.json. */
export function readStoreGroups(home: string): TaskGroup[] {
  const groups: TaskGroup[] = []
  const sessions = path.join(home, 'sessions')
  if (!fs.existsSync(sessions)) return groups
  for (const session of fs.readdirSync(sessions)) {
    const dir = path.join(sessions, session)
    if (!fs.statSync(dir).isDirectory()) continue
    for (const task of fs.readdirSync(dir)) {
      try {
        const raw = JSON.parse(fs.readFileSync(path.join(dir, task, 'pid.json'), 'utf8'))
        groups.push({ pgid: raw.pgid ?? raw.pid, startTime: raw.start_time })
      } catch {
        // Not a task directory, or a task that never started: nothing of it can be running.
      }
    }
  }
  return groups
}

/**
 * Live (non-zombie) processes in these groups, born no earlier than their group's wrapper;
 * with `spareLeaders`, not the wrappers themselves.
 */
function findGroupMembers(groups: readonly TaskGroup[], spareLeaders = false): number[] {
  const byPgid = new Map(groups.map((group) => [group.pgid, group.startTime]))
  const pids: number[] = []
  for (const proc of readProcTable()) {
    const start = byPgid.get(proc.pgrp)
    if (start === undefined || proc.startTime < start || proc.state === 'Z' || proc.state === 'X') continue
    if (spareLeaders && proc.pid === proc.pgrp) continue
    pids.push(proc.pid)
  }
  return pids
}

/**
 * SIGKILLs every process of these groups; returns how many it signalled. With `spareLeaders`
 * the wrappers live on to record the exit code: the tasks end as if their command crashed.
 */
export function killGroups(groups: readonly TaskGroup[], options: { spareLeaders?: boolean } = {}): number {
  let hit = 0
  for (const pid of findGroupMembers(groups, options.spareLeaders)) {
    try {
      process.kill(pid, 'SIGKILL')
      hit++
    } catch {
      // Gone between the scan and the signal: that is what we wanted.
    }
  }
  return hit
}

/** Waits (bounded) until no process of these groups is alive; returns how many still are. */
export async function waitGroupsGone(groups: readonly TaskGroup[], timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs
  let alive = findGroupMembers(groups).length
  while (alive > 0 && Date.now() < deadline) {
    await sleep(10)
    alive = findGroupMembers(groups).length
  }
  return alive
}

/** The bench's safety net: kills every process any task of this store left behind. */
export async function killStoreLeftovers(home: string): Promise<number> {
  const groups = readStoreGroups(home)
  const hit = killGroups(groups)
  if (hit > 0) await waitGroupsGone(groups, 5000)
  return hit
}
