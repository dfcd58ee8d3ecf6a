import { isProcessAlive } from '../proc/procfs.js'
import { findWrapper } from '../proc/tree.js'
import type { TaskPaths } from '../store/paths.js'
import { type KillInfo, type PidInfo, type TaskMeta, writePidInfo } from '../store/records.js'
import type { TaskFiles } from '../store/task-store.js'
import { planRecovery } from '../watch/recovery.js'
import type { Engine } from './engine.js'
import { settleExit } from './settle.js'

/** Start-up reconcile: a task found without a terminal record is brought to the right state. */
export class Reconcile {
  private readonly e: Engine

  constructor(e: Engine) {
    this.e = e
  }

  /**
   * Brings a task without a terminal record to the right state: finishes it if it ended, kills it
   * if overdue or a kill was cut short, and (when `adopt`) watches it if it still runs.
   */
  recover(files: TaskFiles, adopt: boolean): void {
    const { paths, meta, kill } = files
    const isCreatorAlive = isCreatorRunning(meta)
    const pid = files.pid ?? (isCreatorAlive ? undefined : this.recordFoundWrapper(paths, meta))
    const isAlive = pid ? isProcessAlive(pid.pid, pid.startTime) : false
    const settled = settleExit(paths, () => isAlive, pid && this.e.rootOf(meta.taskId, pid))
    const exitCode = settled?.decision.end ? settled.exit.code : undefined
    const startedAt = pid?.startedAt ?? meta.createdAt
    const isOverdue = meta.timeoutMs > 0 && Date.now() >= startedAt + meta.timeoutMs
    const plan = planRecovery({
      hasPid: !!pid,
      exitCode,
      isAlive,
      isKilling: !!kill,
      isCreatorAlive,
      isOverdue,
    })
    switch (plan) {
      case 'finish_spawn_aborted':
        this.e.ending.endTask(paths, {
          exitCode: undefined,
          kill: undefined,
          spawnError: 'spawn aborted: its manager exited before the task started',
        })
        return
      case 'finish_killed':
        // The manager that started this kill is still in it and will record the signal that ended
        // the task; finishing it here would have to guess one (SIGKILL). The next sweep looks again.
        if (exitCode === undefined && (this.e.kills.has(meta.taskId) || isKillerAtWork(kill))) return
        this.e.ending.endTask(paths, { exitCode, kill }, { foundLate: true })
        return
      case 'finish_from_exit':
      case 'finish_lost':
        this.e.ending.endTask(paths, { exitCode, kill }, { foundLate: true })
        return
      case 'wait_for_spawn':
      case 'adopt':
        if (adopt) this.e.watcher.watch(paths, meta, pid, undefined)
        return
      case 'kill_overdue':
      case 'continue_kill':
        if (adopt) this.e.watcher.watch(paths, meta, pid, undefined)
        this.e.killing
          .startKill(paths, kill?.reason ?? 'timeout', kill?.by ?? 'deadline', this.e.killGraceMs)
          .catch((error) =>
            this.e.logger.warn?.('kill failed', { taskId: meta.taskId, error: String(error) }),
          )
        return
    }
  }

  /**
   * A task whose manager died before its wrapper recorded its pid (a moment after the spawn, or
   * never where /proc could not be read): its wrapper, if it runs, is found by the task id in its
   * environment, and recorded here so the task is adopted, not taken for a spawn cut short.
   */
  recordFoundWrapper(paths: TaskPaths, meta: TaskMeta): PidInfo | undefined {
    const wrapper = findWrapper(meta.taskId)
    if (!wrapper) return undefined
    const pid: PidInfo = {
      pid: wrapper.pid,
      pgid: wrapper.pgrp,
      startTime: wrapper.startTime,
      spawnedBy: meta.createdBy,
      startedAt: meta.createdAt,
    }
    try {
      writePidInfo(paths, pid)
    } catch (error) {
      // Watched from memory all the same; the next manager finds the wrapper again.
      this.e.logger.warn?.('could not record a found wrapper', { taskId: meta.taskId, error: String(error) })
    }
    return pid
  }
}

/** Answers of isCreatorRunning for a moment: a start-up over 1000 tasks asks about a few creators. */
export const creatorAnswers = new Map<string, boolean>()

/** Longest a kill can take: the largest grace (60 s) plus the wait after SIGKILL (2 s), with room. */
export const KILL_SETTLE_MS = 65_000

/** Another live manager started this kill recently: it writes the terminal record itself. */
export function isKillerAtWork(kill: KillInfo | undefined): boolean {
  if (!kill?.managerPid || kill.managerPid === process.pid) return false
  if (Date.now() - kill.at > KILL_SETTLE_MS) return false
  return isProcessAlive(kill.managerPid, kill.managerStart ?? -1)
}

export function isCreatorRunning(meta: TaskMeta): boolean {
  if (!meta.createdBy || !meta.createdByStart) return false
  const key = `${meta.createdBy}:${meta.createdByStart}`
  let alive = creatorAnswers.get(key)
  if (alive === undefined) {
    alive = isProcessAlive(meta.createdBy, meta.createdByStart)
    if (creatorAnswers.size === 0) setImmediate(() => creatorAnswers.clear())
    creatorAnswers.set(key, alive)
  }
  return alive
}
