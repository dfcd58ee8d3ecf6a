import fs from 'node:fs'
import {
  BgbashError,
  getTaskDir,
  isTaskId,
  type Logger,
  openTaskManager,
  resolveProject,
  resolveStoreRoot,
} from '../../index.js'
import { salvageId } from './framing.js'
import { handleBash } from './handlers/bash.js'
import { handleBashAbortInflight } from './handlers/bash-abort-inflight.js'
import { handleBashAckCompletions } from './handlers/bash-ack-completions.js'
import { handleBashDrainCompletions } from './handlers/bash-drain-completions.js'
import { handleBashKill } from './handlers/bash-kill.js'
import { handleBashNotify } from './handlers/bash-notify.js'
import { handleBashPromote } from './handlers/bash-promote.js'
import { handleBashRegexMatch } from './handlers/bash-regex-match.js'
import { handleBashStatus } from './handlers/bash-status.js'
import { handleBashUnnotify } from './handlers/bash-unnotify.js'
import { handleBashWrite } from './handlers/bash-write.js'
import { handleConfigure } from './handlers/configure.js'
import { handlePing } from './handlers/ping.js'
import { handleStatus } from './handlers/status.js'
import {
  type Frame,
  parseRequest,
  type Request,
  taskNotFound,
  WireError,
  type WireErrorCode,
} from './protocol.js'
import {
  type EngineSettings,
  type Handler,
  type HandlerContext,
  HeldReply,
  reminderIntervalMs,
  type Session,
} from './session.js'
import { pushSessionEvents } from './session-events.js'
import { WatchLedger } from './watch-ledger.js'
import { owedCompletionToWire } from './wire.js'

/** How a completion's preview points at the rest of the output, on this protocol. */
const READ_HINT = (taskId: string) => `read it with bash_status ${taskId} output_offset`

/** Running tasks per session when `configure` does not say (AFT's default). */
const DEFAULT_MAX_RUNNING = 8

const HANDLERS: Record<string, Handler> = {
  configure: handleConfigure,
  bash_abort_inflight: handleBashAbortInflight,
  bash_regex_match: handleBashRegexMatch,
  ping: handlePing,
  bash: handleBash,
  bash_status: handleBashStatus,
  bash_kill: handleBashKill,
  bash_promote: handleBashPromote,
  bash_drain_completions: handleBashDrainCompletions,
  bash_ack_completions: handleBashAckCompletions,
  bash_notify: handleBashNotify,
  bash_unnotify: handleBashUnnotify,
  bash_write: handleBashWrite,
  status: handleStatus,
}

/**
 * Replies (answers and errors alike) that carry the session's owed completions as
 * `bg_completions`, as AFT's do.
 */
const PIGGYBACK = new Set(['bash', 'bash_kill', 'status', 'ping'])
/** Commands about one task (`task_id`): a task of a session never opened here is looked up on disk first. */
const TASK_COMMANDS = new Set([
  'bash_status',
  'bash_kill',
  'bash_promote',
  'bash_notify',
  'bash_unnotify',
  'bash_write',
])

/** The engine's codes that AFT names otherwise. */
const ERROR_CODES: Partial<Record<string, WireErrorCode>> = {
  limit_exceeded: 'background_task_limit_exceeded',
  spawn_failed: 'execution_failed',
  // AFT writes only to PTY tasks; here, to tasks started with a stdin channel.
  stdin_not_enabled: 'task_not_pty',
}

export interface NdjsonServerOptions {
  home?: string
  projectRoot?: string
  version: string
  /** Writes one line (without its newline) to the harness. */
  write: (line: string) => void
  logger?: Logger
}

/**
 * The NDJSON engine: AFT's background-bash protocol over one line stream, one TaskManager per
 * harness session, all on the same store. Knows nothing of stdio.
 */
export class NdjsonServer {
  private readonly sessions = new Map<string, Promise<Session>>()
  private readonly opened: Session[] = []
  private readonly watches = new WatchLedger()
  private readonly settings: EngineSettings
  private readonly options: NdjsonServerOptions

  constructor(options: NdjsonServerOptions) {
    this.options = options
    this.settings = {
      home: options.home,
      projectRoot: options.projectRoot,
      maxRunning: DEFAULT_MAX_RUNNING,
      backgroundEnabled: true,
      longRunningEnabled: true,
      longRunningMs: undefined,
      foregroundWaitMs: undefined,
    }
  }

  /** Answers one request line; never throws: every failure becomes an error response. */
  async handleLine(line: string): Promise<void> {
    if (line.trim() === '') return
    let parsed: unknown
    try {
      parsed = JSON.parse(line)
    } catch {
      this.send(
        errorFrame(salvageId(line), 'invalid_request', 'Invalid request: the line is not valid JSON.'),
      )
      return
    }
    let request: Request
    try {
      request = parseRequest(parsed)
    } catch (error) {
      const id = (parsed as { id?: unknown })?.id
      this.send(
        errorFrame(
          typeof id === 'string' || typeof id === 'number' ? String(id) : undefined,
          ...describe(error),
        ),
      )
      return
    }
    await this.dispatch(request)
  }

  /** Answers a line that was too long to read. */
  rejectLongLine(bytes: number): void {
    this.send(
      errorFrame(
        undefined,
        'invalid_request',
        `Invalid request: line of ${bytes} bytes is over the 16 MiB limit.`,
      ),
    )
  }

  /** Closes every session's manager; tasks keep running for the next engine to adopt. */
  async close(): Promise<void> {
    await Promise.all(this.opened.map((session) => session.tm.close()))
  }

  private async dispatch(request: Request): Promise<void> {
    // Own keys only: `constructor` or `toString` are unknown commands, not members of an object.
    const handler = Object.hasOwn(HANDLERS, request.command) ? HANDLERS[request.command] : undefined
    const context = this.context(request.sessionId)
    let result: Frame | HeldReply
    try {
      if (!handler) throw new WireError('unknown_command', `Unknown command: ${request.command}.`)
      this.refuseUnknownTask(request)
      result = await handler(context, request.params)
    } catch (error) {
      await this.reply(request, errorFrame(request.id, ...describe(error)))
      return
    }
    if (!(result instanceof HeldReply)) {
      await this.reply(request, { id: request.id, success: true, ...result })
      return
    }
    // A held reply goes out when it is ready; the next request is read meanwhile.
    result.reply
      .then(
        (frame) => ({ id: request.id, success: true, ...frame }),
        (error) => errorFrame(request.id, ...describe(error)),
      )
      .then((frame) => this.reply(request, frame))
      .catch((error) => this.options.logger?.warn?.('could not send a held reply', { error: String(error) }))
  }

  /** Sends a reply (or error) to a request, with the owed completions it carries. */
  private async reply(request: Request, frame: Frame): Promise<void> {
    if (PIGGYBACK.has(request.command)) await this.attachCompletions(frame, request.sessionId)
    this.send(frame)
  }

  /**
   * A request about one task, from a session this engine has not opened and the store does not
   * hold that task for, is refused before the session is opened: opening it would create the
   * session's directory for a request that is turned down (SPEC §9: bad input changes nothing).
   */
  private refuseUnknownTask(request: Request): void {
    if (!TASK_COMMANDS.has(request.command) || this.sessions.has(request.sessionId)) return
    const taskId = request.params.task_id
    if (!isTaskId(taskId)) return
    const { projectRoot } = resolveProject({ projectRoot: this.settings.projectRoot })
    const dir = getTaskDir(resolveStoreRoot(this.settings.home), projectRoot, taskId)
    if (fs.existsSync(dir)) return
    throw taskNotFound(taskId)
  }

  /** Owed completions ride on the response when there are any (not removed: only ack removes them). */
  private async attachCompletions(frame: Frame, sessionId: string): Promise<void> {
    const session = this.sessions.has(sessionId)
      ? await this.sessions.get(sessionId)!.catch(() => undefined)
      : undefined
    if (!session) return
    try {
      const owed = await session.tm.peekCompletions()
      if (owed.length > 0) frame.bg_completions = owed.map(owedCompletionToWire)
    } catch (error) {
      this.options.logger?.warn?.('could not read completions', { error: String(error) })
    }
  }

  private context(sessionId: string): HandlerContext {
    return {
      sessionId,
      session: () => this.openSession(sessionId),
      sessionFor: (id) => this.openSession(id),
      watches: this.watches,
      settings: this.settings,
      sessions: () => [...this.opened],
      push: (frame) => this.send(frame),
      version: this.options.version,
    }
  }

  private openSession(sessionId: string): Promise<Session> {
    let pending = this.sessions.get(sessionId)
    if (!pending) {
      pending = this.startSession(sessionId)
      this.sessions.set(sessionId, pending)
      pending.catch(() => this.sessions.delete(sessionId))
    }
    return pending
  }

  private async startSession(sessionId: string): Promise<Session> {
    const tm = await openTaskManager({
      home: this.settings.home,
      readHint: READ_HINT,
      // The ids AFT's harness plugins check for (^bash-[a-f0-9]{16}$).
      taskIdStyle: 'aft',
      // AFT's note when an upstream stage of a pipeline failed and the last one succeeded.
      capturePipelineStatus: true,
      sessionId,
      projectRoot: this.settings.projectRoot,
      maxRunning: this.settings.maxRunning,
      longRunningMs: reminderIntervalMs(this.settings),
      logger: this.options.logger,
    })
    const session: Session = { id: sessionId, tm, pushed: new Set(), held: new Set() }
    pushSessionEvents(session, {
      send: (frame) => this.send(frame),
      watches: this.watches,
      logger: this.options.logger,
    })
    this.opened.push(session)
    return session
  }

  private send(frame: Frame): void {
    this.options.write(JSON.stringify(frame))
  }
}

function errorFrame(id: string | undefined, code: WireErrorCode, message: string): Frame {
  return { id: id ?? null, success: false, code, message }
}

function describe(error: unknown): [WireErrorCode, string] {
  if (error instanceof WireError) return [error.code, error.message]
  if (error instanceof BgbashError) {
    // The engine's text names the MCP and CLI ways to list tasks, which an AFT harness has not.
    if (error.code === 'task_not_found') return describe(taskNotFound(String(error.data?.taskId ?? '')))
    return [ERROR_CODES[error.code] ?? (error.code as WireErrorCode), error.message]
  }
  return ['execution_failed', `Internal error: ${(error as Error)?.message ?? String(error)}`]
}
