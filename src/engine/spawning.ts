import type { ChildProcess } from 'node:child_process'
import path from 'node:path'
import { INLINE_COMMAND_MAX_BYTES, SCHEMA_VERSION, TASK_ENV_VAR } from '../constants.js'
import { BgbashError, storageError } from '../errors.js'
import { capturePipelineStatus, splitPipeline } from '../proc/pipeline.js'
import { readProcStat } from '../proc/procfs.js'
import { resolveShell } from '../proc/shell.js'
import { makeFifo, sourceCommand, spawnWrapper } from '../proc/spawn.js'
import type { TaskPaths } from '../store/paths.js'
import {
  claimDelivery,
  type PidInfo,
  type TaskMeta,
  writeCommandFile,
  writeTaskMeta,
} from '../store/records.js'
import type { SpawnedTask, SpawnOptions, TaskRecord } from '../types.js'
import type { Engine } from './engine.js'
import { checkPortFree, checkReadyOptions, waitUntilReady } from './ready.js'
import { type ValidSpawn, validateSpawn } from './validate.js'

/** Spawning: input checks, the running limit, the task directory and the wrapper. */
export class Spawning {
  private readonly e: Engine

  constructor(e: Engine) {
    this.e = e
  }

  /**
   * Starts a command in the background; resolves once it runs, with its record. With `readyWhen`
   * it resolves once the task is ready (a pattern in its output, a port accepting, a URL
   * answering), or has ended, printed `failOn`, or run out of `readyTimeoutMs`; `ready` says which.
   */
  async spawn(options: SpawnOptions): Promise<SpawnedTask> {
    this.e.assertOpen()
    if (this.e.readOnly) {
      throw new BgbashError(
        'invalid_request',
        'This manager is read-only: open one without readOnly to spawn.',
      )
    }
    const ready = options && typeof options === 'object' ? checkReadyOptions(options) : undefined
    const valid = validateSpawn(options, this.e.defaultCwd)
    if (!ready) return this.startTask(valid)
    await checkPortFree(ready.readyWhen)
    const record = await this.startTask(valid)
    const result = await waitUntilReady(ready, record.startedAt ?? record.createdAt, (waitOptions) =>
      this.e.manager.waitFor([record.taskId], waitOptions),
    )
    return { ...(await this.e.manager.status(record.taskId)), ready: result }
  }

  /** The command as the shell runs it: with its pipeline's stages recorded when asked and possible. */
  private commandToRun(command: string, shellPath: string, paths: TaskPaths): string {
    const canCapture = this.e.capturePipelineStatus && path.basename(shellPath) === 'bash'
    return canCapture && splitPipeline(command)
      ? capturePipelineStatus(command, paths.pipelineStatus)
      : command
  }

  async startTask(valid: ValidSpawn): Promise<TaskRecord> {
    const shellPath = resolveShell(valid.shell)
    this.checkRunningLimit()
    const isLongCommand = Buffer.byteLength(valid.command) > INLINE_COMMAND_MAX_BYTES
    const { taskId, paths } = this.e.store.createTaskDir(this.e.scope.dir, this.e.taskIdStyle)
    const meta: TaskMeta = {
      schemaVersion: SCHEMA_VERSION,
      taskId,
      sessionId: this.e.sessionId,
      command: valid.command,
      shell: shellPath,
      cwd: valid.cwd,
      env: valid.env,
      timeoutMs: valid.timeoutMs,
      notify: valid.notify,
      stdin: valid.stdin,
      description: valid.description,
      createdAt: Date.now(),
      createdBy: process.pid,
      createdByStart: this.e.selfStartTime,
      outputCapBytes: this.e.outputCapBytes,
      projectRoot: this.e.scope.root,
      client: this.e.owner.client,
    }
    try {
      writeTaskMeta(paths, meta)
      if (isLongCommand) writeCommandFile(paths, valid.command)
      if (valid.stdin) makeFifo(paths.stdin)
    } catch (error) {
      this.e.store.removeTask(paths)
      throw error instanceof BgbashError ? error : storageError('prepare task directory', paths.dir, error)
    }
    let child: ChildProcess | undefined
    let spawnError: unknown
    // Taken before the process exists, so a fast task never seems to end before it started.
    const startedAt = Date.now()
    try {
      child = spawnWrapper({
        shellPath,
        command: isLongCommand
          ? sourceCommand(paths.command)
          : this.commandToRun(valid.command, shellPath, paths),
        cwd: valid.cwd,
        env: { ...process.env, ...valid.env, [TASK_ENV_VAR]: taskId },
        logPath: paths.output,
        exitPath: paths.exit,
        droppedPath: paths.dropped,
        capBytes: this.e.outputCapBytes,
        startedAt,
        stdinPath: valid.stdin ? paths.stdin : undefined,
      })
      child.on('error', (error) =>
        this.e.logger.warn?.('task process error', { taskId, error: String(error) }),
      )
    } catch (error) {
      spawnError = error
    }
    const stat = child?.pid === undefined ? undefined : readProcStat(child.pid)
    if (!child || child.pid === undefined || !stat) {
      const reason = String((spawnError as Error)?.message ?? 'the process did not start')
      this.e.ending.endTask(
        paths,
        { exitCode: undefined, kill: undefined, spawnError: reason },
        { deliver: false },
      )
      claimDelivery(paths, this.e.managerName())
      throw new BgbashError(
        'spawn_failed',
        `Could not start the command: ${reason}. ${
          (spawnError as NodeJS.ErrnoException)?.code === 'E2BIG'
            ? 'Its environment is too large for one program (Linux takes about 2 MiB of arguments and environment together): pass less env.'
            : 'Check the shell and cwd.'
        }`,
        {
          data: { taskId },
          cause: spawnError,
        },
      )
    }
    const pid: PidInfo = {
      pid: child.pid,
      pgid: child.pid,
      startTime: stat.startTime,
      spawnedBy: process.pid,
      startedAt,
    }
    // The wrapper records its own pid (pid.json) as it starts; until then this manager knows it.
    this.e.watcher.watch(paths, meta, pid, child, { deferWatch: true })
    return this.e.toRecord(paths, meta, pid)
  }

  /** Counts this owner's running tasks only: a task watched for another owner is not one of them. */
  checkRunningLimit(): void {
    const running = [...this.e.watched.values()].filter((task) => task.meta.sessionId === this.e.sessionId)
    if (running.length < this.e.maxRunning) return
    const now = Date.now()
    const lines = running.map(
      (task) =>
        `${task.meta.taskId} (${Math.round((now - (task.pid?.startedAt ?? task.meta.createdAt)) / 1000)}s) ${task.meta.command.slice(0, 80)}`,
    )
    throw new BgbashError(
      'limit_exceeded',
      `Running task limit reached: ${running.length} of ${this.e.maxRunning} in this session. Wait for or kill one of: ${lines.join('; ')}.`,
      { data: { running: running.map((task) => task.meta.taskId), limit: this.e.maxRunning } },
    )
  }
}
