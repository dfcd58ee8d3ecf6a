import { createHash, randomBytes } from 'node:crypto'
import os from 'node:os'
import path from 'node:path'
import { TASK_ID_PATTERN } from '../constants.js'
import { BgbashError } from '../errors.js'

/** The store root: `$BGBASH_HOME`, else `$XDG_STATE_HOME/bgbash`, else `~/.local/state/bgbash`. */
export function resolveStoreRoot(home: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (home) return path.resolve(home)
  if (env.BGBASH_HOME) return path.resolve(env.BGBASH_HOME)
  if (env.XDG_STATE_HOME) return path.join(path.resolve(env.XDG_STATE_HOME), 'bgbash')
  return path.join(os.homedir(), '.local', 'state', 'bgbash')
}

/** Directory name of a session: 16 hex digits of the sha256 of its id, so any id is a safe path. */
export function getSessionKey(sessionId: string): string {
  return createHash('sha256').update(sessionId).digest('hex').slice(0, 16)
}

/** Which form of task id a manager hands out: bgbash's `bgb-1a2b3c4d`, or AFT's `bash-` + 16 hex. */
export type TaskIdStyle = 'bgbash' | 'aft'

/** Shown in errors about a malformed id. */
export const TASK_ID_EXAMPLE = 'bgb-1a2b3c4d (or bash-1a2b3c4d5e6f7a8b)'

/** A new random task id of a style (see TASK_ID_PATTERN). */
export function mintTaskId(style: TaskIdStyle): string {
  return style === 'aft' ? `bash-${randomBytes(8).toString('hex')}` : `bgb-${randomBytes(4).toString('hex')}`
}

export function isTaskId(value: unknown): value is string {
  return typeof value === 'string' && TASK_ID_PATTERN.test(value)
}

/** Checks an id from outside before it touches a path. */
export function assertTaskId(value: unknown): string {
  if (isTaskId(value)) return value
  const shown = typeof value === 'string' ? JSON.stringify(value.slice(0, 64)) : typeof value
  throw new BgbashError(
    'invalid_request',
    `Invalid task id: ${shown}. Task ids look like ${TASK_ID_EXAMPLE}.`,
  )
}

/** Every file of one task directory (SPEC §3). */
export interface TaskPaths {
  taskId: string
  dir: string
  task: string
  /** The command, when too long to pass as an argument (INLINE_COMMAND_MAX_BYTES). */
  command: string
  pid: string
  output: string
  exit: string
  kill: string
  end: string
  delivered: string
  dropped: string
  leftovers: string
  /** Marker: the task's end was shown in the reply to the call that started it. */
  answered: string
  /** What a kill of the ended task stopped of its leftover processes. */
  leftoversKilled: string
  promoted: string
  stdin: string
  /** Each stage's exit code, one a line, of a command that is one pipeline (capturePipelineStatus). */
  pipelineStatus: string
}

export function getTaskPaths(sessionDir: string, taskId: string): TaskPaths {
  // One join; the files are plain names under it (`ls` makes these for 1000 tasks at a time).
  const dir = path.join(sessionDir, taskId)
  return {
    taskId,
    dir,
    task: `${dir}/task.json`,
    command: `${dir}/command.sh`,
    pid: `${dir}/pid.json`,
    output: `${dir}/output.log`,
    exit: `${dir}/exit`,
    kill: `${dir}/kill.json`,
    end: `${dir}/end.json`,
    delivered: `${dir}/delivered`,
    dropped: `${dir}/dropped.json`,
    leftovers: `${dir}/leftovers.json`,
    leftoversKilled: `${dir}/leftovers-killed.json`,
    answered: `${dir}/answered`,
    promoted: `${dir}/promoted`,
    stdin: `${dir}/stdin`,
    pipelineStatus: `${dir}/pipeline-status`,
  }
}

/**
 * Directory of a task in a store, from its project root (resolved) and id (no I/O):
 * `<root>/sessions/<key of project:<root>>/<id>`. A task of the previous layout may be elsewhere.
 */
export function getTaskDir(storeRoot: string, projectRoot: string, taskId: string): string {
  return path.join(storeRoot, 'sessions', getSessionKey(`project:${projectRoot}`), assertTaskId(taskId))
}
