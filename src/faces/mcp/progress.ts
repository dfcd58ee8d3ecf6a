import type { ServerContext } from '@modelcontextprotocol/server'
import type { Logger } from '../../index.js'

/** Time between two progress notifications of a long wait; also keeps clients' request timers fresh. */
export const PROGRESS_INTERVAL_MS = 1000

/**
 * Sends `notifications/progress` for the request (at once, then every second) while a wait runs,
 * when the client asked for progress with a token. Progress is the elapsed ms of `totalMs`.
 * Returns the function that stops it.
 */
export function startProgress(
  request: ServerContext,
  totalMs: number,
  describe: (elapsedMs: number) => string,
  logger: Logger,
): () => void {
  const progressToken = request.mcpReq._meta?.progressToken
  if (progressToken === undefined) return () => {}
  const started = Date.now()
  let last = -1
  const send = () => {
    // Progress must increase at every notification.
    const elapsed = Math.max(last + 1, Date.now() - started)
    last = elapsed
    request.mcpReq
      .notify({
        method: 'notifications/progress',
        params: { progressToken, progress: elapsed, total: totalMs, message: describe(elapsed) },
      })
      .catch((error: unknown) => logger.warn?.('progress notification failed', { error: String(error) }))
  }
  send()
  const timer = setInterval(send, PROGRESS_INTERVAL_MS)
  return () => clearInterval(timer)
}
