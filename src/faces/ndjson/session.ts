import type { TaskManager } from '../../index.js'
import type { Frame } from './protocol.js'
import type { WatchLedger } from './watch-ledger.js'

/** One harness session on this engine: its manager and what was pushed to it. */
export interface Session {
  id: string
  tm: TaskManager
  /** Tasks whose `bash_completed` frame this engine pushed already (once per task). */
  pushed: Set<string>
  /** Tasks whose `bash` reply is held until they end: what `bash_abort_inflight` kills. */
  held: Set<string>
}

/** Settings from `configure`, shared by the sessions this engine opens afterwards. */
export interface EngineSettings {
  home: string | undefined
  projectRoot: string | undefined
  maxRunning: number
  /** `bash.background`: false refuses background bash (`feature_disabled`). */
  backgroundEnabled: boolean
  longRunningEnabled: boolean
  /** Undefined: the engine's default (10 min). */
  longRunningMs: number | undefined
  /** How long an orchestrated foreground call waits before it is promoted; undefined: the default. */
  foregroundWaitMs: number | undefined
}

/** The reminder interval to give the managers: 0 (none) when reminders are turned off. */
export function reminderIntervalMs(settings: EngineSettings): number | undefined {
  return settings.longRunningEnabled ? settings.longRunningMs : 0
}

export interface HandlerContext {
  sessionId: string
  /** The request's session, opened on first use. */
  session(): Promise<Session>
  /** Any session by id (a task's owner), opened on first use. */
  sessionFor(sessionId: string): Promise<Session>
  /** Output watches of every session (bash_notify). */
  watches: WatchLedger
  settings: EngineSettings
  /** Every session this engine has open. */
  sessions(): Session[]
  /** Sends a push frame (with `type`) to the harness. */
  push(frame: Frame): void
  version: string
}

/**
 * A reply sent later (a foreground call held until its command ends): the engine goes on serving
 * other requests, and pushing frames, meanwhile.
 */
export class HeldReply {
  readonly reply: Promise<Frame>
  constructor(reply: Promise<Frame>) {
    this.reply = reply
  }
}

export type Handler = (ctx: HandlerContext, params: Record<string, unknown>) => Promise<Frame | HeldReply>

/**
 * The manager to ask about a task: the manager of the session that started it when that session
 * is open here (it knows its task from the first moment, before the task's wrapper has written its
 * pid), else the asking session's own (the project's tasks are every session's to read and kill).
 */
export async function managerOf(ctx: HandlerContext, taskId: string): Promise<TaskManager> {
  const { tm } = await ctx.session()
  const { sessionId } = await tm.status(taskId)
  return ctx.sessions().find((session) => session.id === sessionId)?.tm ?? tm
}
