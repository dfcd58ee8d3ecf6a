/** Stable error codes (SPEC §9). A task's own failure is never one of these: it is data on its record. */
export const ERROR_CODES = [
  'invalid_request',
  'task_not_found',
  'blocked_env_var',
  'limit_exceeded',
  'cwd_not_found',
  'spawn_failed',
  'stdin_not_enabled',
  'task_not_running',
  'storage_failed',
] as const

export type ErrorCode = (typeof ERROR_CODES)[number]

/**
 * The one error type bgbash throws for mistakes made by the caller or the environment.
 * Messages read "what happened: subject. Hint."
 */
export class BgbashError extends Error {
  override readonly name = 'BgbashError'
  readonly code: ErrorCode
  readonly data: Record<string, unknown> | undefined

  constructor(
    code: ErrorCode,
    message: string,
    options: { data?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.data = options.data
  }
}

/** Wraps a failed file-system step of the store into a `storage_failed` error. */
export function storageError(what: string, path: string, cause: unknown): BgbashError {
  const reason = (cause as NodeJS.ErrnoException)?.code ?? String(cause)
  return new BgbashError(
    'storage_failed',
    `Storage failed: could not ${what} ${path} (${reason}). Check that the store is writable and the disk has room.`,
    {
      data: { path },
      cause,
    },
  )
}
