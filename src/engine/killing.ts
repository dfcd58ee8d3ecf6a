import { BgbashError } from '../errors.js'
import { killTree } from '../proc/kill.js'
import { collectTaskProcesses, ProcessSnapshot } from '../proc/tree.js'
import type { TaskPaths } from '../store/paths.js'
import { createKillInfo, readExitCode, readKillInfo } from '../store/records.js'
import type { KillReason, LeftoverProcess, TaskRecord } from '../types.js'
import type { Engine, Watched } from './engine.js'
import { killLeftovers } from './leftovers.js'
import type { KillOptions } from './options.js'

/** Killing: a task and every process it started, or what an ended task left running. */
export class Killing {
  private readonly e: Engine

  constructor(e: Engine) {
    this.e = e
  }

  /**
   * Kills a task and every process it started (SIGTERM, then SIGKILL after the grace) and returns
   * its terminal record. A task that already ended is returned with `alreadyFinished: true`.
   */
  async kill(taskId: string, options: KillOptions = {}): Promise<TaskRecord> {
    this.e.assertOpen()
    const paths = this.e.locate(taskId, options.allSessions)
    const grace = options.graceMs ?? this.e.killGraceMs
    if (!Number.isInteger(grace) || grace < 0 || grace > 60_000) {
      throw new BgbashError('invalid_request', `Invalid grace: ${grace}. Use an integer from 0 to 60000 ms.`)
    }
    return this.startKill(paths, 'user', options.by ?? 'api', grace)
  }

  /**
   * The processes a kill of this task would signal now (its group, session, descendants and any
   * process carrying its id), without signalling anything. Empty once the task has ended.
   */
  async planKill(taskId: string, options: { allSessions?: boolean } = {}): Promise<LeftoverProcess[]> {
    this.e.assertOpen()
    const files = this.e.readFilesOrThrow(this.e.locate(taskId, options.allSessions))
    if (!files.pid) return []
    // An ended task's processes are what its command left running (and the plumbing holding its output).
    return collectTaskProcesses(this.e.rootOf(files.meta.taskId, files.pid)).map((proc) => ({
      pid: proc.pid,
      command: proc.command,
    }))
  }

  startKill(paths: TaskPaths, reason: KillReason, by: string, graceMs: number): Promise<TaskRecord> {
    const under = this.e.kills.get(paths.taskId)
    if (under) return under
    const killing = this.runKill(paths, reason, by, graceMs, this.e.watched.get(paths.taskId))
    this.e.kills.set(paths.taskId, killing)
    return killing.finally(() => this.e.kills.delete(paths.taskId))
  }

  async runKill(
    paths: TaskPaths,
    reason: KillReason,
    by: string,
    graceMs: number,
    task: Watched | undefined,
  ): Promise<TaskRecord> {
    let files = this.e.readFilesOrThrow(paths)
    if (!files.end && !files.pid) {
      // Still starting: settle it (its spawner may have died) before deciding.
      this.e.reconcile.recover(files, false)
      files = this.e.readFilesOrThrow(paths)
    }
    if (!files.end && readExitCode(paths) !== undefined && !files.kill) {
      this.e.ending.endTask(paths, { exitCode: readExitCode(paths), kill: undefined })
      files = this.e.readFilesOrThrow(paths)
    }
    if (files.end) {
      // The command has ended; what it left running has not: a kill ends that, and says so.
      const killed = files.pid
        ? await killLeftovers(paths, this.e.rootOf(files.meta.taskId, files.pid), { graceMs, by })
        : undefined
      const record = this.e.recordOf(this.e.readFilesOrThrow(paths))
      return { ...record, alreadyFinished: true, ...(killed ? { killedLeftovers: killed } : {}) }
    }
    if (!files.pid) {
      throw new BgbashError(
        'task_not_running',
        `Task not running yet: ${files.meta.taskId}. Try again in a moment.`,
      )
    }
    createKillInfo(paths, {
      reason,
      by,
      at: Date.now(),
      managerPid: process.pid,
      managerStart: this.e.selfStartTime,
    })
    const root = this.e.rootOf(files.meta.taskId, files.pid)
    const result = await killTree(
      (since) =>
        collectTaskProcesses(
          root,
          since === undefined ? ProcessSnapshot.shared() : ProcessSnapshot.since(since),
        ),
      graceMs,
    )
    if (result.survivors.length > 0) {
      this.e.logger.warn?.('processes survived SIGKILL', {
        taskId: root.taskId,
        pids: result.survivors.map((p) => p.pid),
      })
    }
    const record = this.e.ending.endTask(paths, {
      exitCode: readExitCode(paths),
      kill: readKillInfo(paths) ?? { reason, by, at: Date.now() },
      killSignal: result.signal,
      wrapperSignal: task?.wrapperSignal,
    })
    return record ?? this.e.recordOf(this.e.readFilesOrThrow(paths))
  }
}
