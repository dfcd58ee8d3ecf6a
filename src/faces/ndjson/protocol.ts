// AFT's background-bash NDJSON protocol (see docs/protocol.md): wire names are snake_case.

/** A request as it arrives, after framing and JSON parsing. */
export interface Request {
  id: string
  command: string
  sessionId: string
  /** `params` when present, else the top-level fields without the envelope. */
  params: Record<string, unknown>
  /** Whether the request carried a nested `params` object (then `command` is the protocol command). */
  isNested: boolean
}

export type Frame = Record<string, unknown>

/** Error codes on this protocol (AFT's, plus bgbash's own from SPEC §9). */
export type WireErrorCode =
  | 'invalid_request'
  | 'unknown_command'
  | 'task_not_found'
  | 'blocked_env_var'
  | 'background_task_limit_exceeded'
  | 'too_many_watches'
  | 'feature_disabled'
  | 'invalid_regex'
  | 'execution_failed'
  | 'kill_failed'
  | 'task_not_pty'
  | 'task_not_running'
  | 'cwd_not_found'
  | 'storage_failed'

/** A handler's way to fail with a code on the wire. */
export class WireError extends Error {
  readonly code: WireErrorCode
  constructor(code: WireErrorCode, message: string) {
    super(message)
    this.code = code
  }
}

export const DEFAULT_SESSION = '__default__'

/**
 * Ids a harness may hold, in AFT's character set: one that is not a task id of this store is
 * looked up and not found. Anything else (a path, a dot, a space) is refused before any lookup.
 */
const WELL_FORMED_ID = /^[A-Za-z0-9_-]{1,128}$/

export function isWellFormedId(value: string): boolean {
  return WELL_FORMED_ID.test(value)
}

/** The error for an id no task of the project has: AFT's code, and what to do instead of polling. */
export function taskNotFound(taskId: string): WireError {
  return new WireError(
    'task_not_found',
    `Task not found: ${taskId}. Task ids come only from a bash reply or a completion notice; if you never got one, the command is not running in the background: run it again instead of polling.`,
  )
}

const ENVELOPE_KEYS = new Set(['id', 'command', 'method', 'session_id', 'params'])
const FLAT_METHOD_ENVELOPE_KEYS = new Set(['id', 'method', 'session_id', 'params'])

/** Validates the envelope of a parsed line; throws WireError('invalid_request') with the reason. */
export function parseRequest(value: unknown): Request {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new WireError('invalid_request', 'Invalid request: each line must be one JSON object.')
  }
  const raw = value as Record<string, unknown>
  const id = raw.id
  if (typeof id !== 'string' && typeof id !== 'number') {
    throw new WireError('invalid_request', 'Invalid request: missing "id" (a string).')
  }
  const command = raw.method ?? raw.command
  const nested = raw.params
  const isNested = nested !== undefined
  if (isNested && (nested === null || typeof nested !== 'object' || Array.isArray(nested))) {
    throw new WireError('invalid_request', 'Invalid request: "params" must be an object.')
  }
  if (typeof command !== 'string' || command === '') {
    throw new WireError('invalid_request', 'Invalid request: missing "command" (or "method").')
  }
  const sessionId = raw.session_id ?? DEFAULT_SESSION
  if (typeof sessionId !== 'string' || sessionId === '' || sessionId.length > 1024) {
    throw new WireError('invalid_request', 'Invalid request: "session_id" must be a non-empty string.')
  }
  let params: Record<string, unknown>
  if (isNested) params = nested as Record<string, unknown>
  else {
    // With `method` naming the command, a flat `command` is the bash tool's own parameter.
    const envelope = raw.method === undefined ? ENVELOPE_KEYS : FLAT_METHOD_ENVELOPE_KEYS
    params = Object.fromEntries(Object.entries(raw).filter(([key]) => !envelope.has(key)))
  }
  return { id: String(id), command, sessionId, params, isNested }
}
