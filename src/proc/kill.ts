import { setTimeout as sleep } from 'node:timers/promises'
import { isProcessAlive } from './procfs.js'
import type { ProcRef } from './tree.js'

export type KillSignal = 'SIGTERM' | 'SIGKILL'

/** Sends a signal to each process still alive as the same process (start time checked first). */
export function signalProcesses(procs: readonly ProcRef[], signal: NodeJS.Signals): number {
  let sent = 0
  for (const proc of procs) {
    if (!isProcessAlive(proc.pid, proc.startTime)) continue
    try {
      process.kill(proc.pid, signal)
      sent++
    } catch {
      // Gone between the check and the signal: that is what we wanted.
    }
  }
  return sent
}

export function filterAlive(procs: readonly ProcRef[]): ProcRef[] {
  return procs.filter((proc) => isProcessAlive(proc.pid, proc.startTime))
}

/**
 * Waits until none of the processes is alive, or the time is up; returns the survivors.
 * Polling is the only way to see another process vanish; it starts at 1 ms and backs off to 20 ms.
 */
export async function waitGone(procs: readonly ProcRef[], timeoutMs: number): Promise<ProcRef[]> {
  const deadline = Date.now() + timeoutMs
  let alive = filterAlive(procs)
  let pause = 1
  while (alive.length > 0 && Date.now() < deadline) {
    await sleep(Math.min(pause, Math.max(1, deadline - Date.now())))
    pause = Math.min(pause * 2, 20)
    alive = filterAlive(alive)
  }
  return alive
}

export interface KillTreeResult {
  /** The last signal that had to be sent. */
  signal: KillSignal
  /** Processes still alive after SIGKILL (uninterruptible sleep, or not ours to kill). */
  survivors: ProcRef[]
}

/** Longest the wrapper's plumbing gets to drain and exit once the command's processes are gone. */
const PLUMBING_DRAIN_MS = 1000

/**
 * SIGTERM to every process, up to `graceMs` for the command's processes to exit, then SIGKILL to
 * whatever is left. Processes born during the grace (a shell's exit trap, a respawning child) get
 * SIGTERM too while grace remains; the tree is gathered again before SIGKILL, so none is missed.
 * The wrapper's plumbing (the relay ignores SIGTERM to keep the command's last words) is not
 * waited for with the command: once the command's processes are gone it gets up to
 * PLUMBING_DRAIN_MS to drain and exit, and is SIGKILLed after that without counting as a
 * process that needed SIGKILL.
 */
export async function killTree(
  /**
   * The task's processes now: from a look begun at or after `since` (performance.now()), or with
   * `since` undefined, from any look taken this turn of the event loop.
   */
  collect: (since: number | undefined) => ProcRef[],
  graceMs: number,
): Promise<KillTreeResult> {
  const deadline = Date.now() + graceMs
  const known = new Set<number>()
  let alive: ProcRef[] = []
  /** The look that found the command gone: what is left of the task in it is plumbing. */
  let lastLook: ProcRef[] | undefined
  let signalledAt = performance.now()
  for (let round = 0; round < 5; round++) {
    // The first look may share a /proc scan taken this turn by other kills started at once; every
    // later one must see the processes born since the last signal (a look begun after it).
    const look = collect(round === 0 ? undefined : signalledAt)
    const fresh = look.filter((proc) => !known.has(proc.pid))
    // A process gone since the look counts for nothing (its command line, read after its stat,
    // may already have been unreadable, so it could not be told apart as plumbing).
    const command = filterAlive(fresh.filter((proc) => !proc.plumbing))
    // Past round 0 everything of the command signalled so far is gone (else the loop broke): a
    // fresh look with nothing new of the command means it is dead. Another look now would only
    // scan /proc again (2000 processes: ~20 ms).
    if (command.length === 0 && round > 0) {
      lastLook = look
      break
    }
    for (const proc of fresh) known.add(proc.pid)
    signalledAt = performance.now()
    signalProcesses(fresh, 'SIGTERM')
    // A stopped process cannot act on SIGTERM until it is continued.
    signalProcesses(fresh, 'SIGCONT')
    alive = await waitGone([...alive, ...command], Math.max(0, deadline - Date.now()))
    if (alive.length > 0 || Date.now() >= deadline) break
  }
  if (lastLook || alive.length === 0) {
    const plumbing = lastLook ?? collect(signalledAt)
    // A process of the command born after the last look is signalled like the rest.
    if (filterAlive(plumbing.filter((proc) => !proc.plumbing)).length === 0) {
      const stuck = await waitGone(plumbing, PLUMBING_DRAIN_MS)
      signalProcesses(stuck, 'SIGKILL')
      return { signal: 'SIGTERM', survivors: await waitGone(stuck, 2000) }
    }
  }
  // Only the ones still alive now count as surviving SIGTERM (a look is a moment old).
  const rest = filterAlive([
    ...alive,
    ...collect(signalledAt).filter((proc) => !alive.some((a) => a.pid === proc.pid)),
  ])
  if (rest.length === 0) return { signal: 'SIGTERM', survivors: [] }
  signalProcesses(rest, 'SIGKILL')
  const survivors = await waitGone(rest, 2000)
  const goneAt = performance.now()
  // A member may fork between the last collect and its SIGKILL (a loop starting \`sleep\`); once
  // the members are gone none can fork again, so one more look finds every such child.
  const late = collect(goneAt).filter((proc) => !rest.some((r) => r.pid === proc.pid))
  if (late.length === 0) return { signal: 'SIGKILL', survivors }
  signalProcesses(late, 'SIGKILL')
  return { signal: 'SIGKILL', survivors: [...survivors, ...(await waitGone(late, 2000))] }
}

/** Sends a signal to the wrapper alone (the task's group leader), after checking it is the same process. */
export function signalGroupLeader(pid: number, startTime: number, signal: NodeJS.Signals): boolean {
  if (!isProcessAlive(pid, startTime)) return false
  try {
    process.kill(pid, signal)
    return true
  } catch {
    // It exited meanwhile.
    return false
  }
}
