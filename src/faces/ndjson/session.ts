import type { TaskManager } from '../../index.js'
import type { Frame } from './protocol.js'

/** One harness session on this engine: its manager and what was pushed to it. */
export interface Session {
  id: string
  tm: TaskManager
  /** Tasks whose `bash_completed` frame this engine pushed already (once per task). */
  pushed: Set<string>
  /** Pattern matches since the last drain. */
  pendingMatches: Frame[]
}

/** Settings from `configure`, shared by the sessions this engine opens afterwards. */
export interface EngineSettings {
  home: string | undefined
  projectRoot: string | undefined
  maxRunning: number
  longRunningMs: number | undefined
}

export interface HandlerContext {
  sessionId: string
  /** The request's session, opened on first use. */
  session(): Promise<Session>
  settings: EngineSettings
  /** Every session this engine has open. */
  sessions(): Session[]
  /** Sends a push frame (with `type`) to the harness. */
  push(frame: Frame): void
  version: string
}

export type Handler = (ctx: HandlerContext, params: Record<string, unknown>) => Promise<Frame>
