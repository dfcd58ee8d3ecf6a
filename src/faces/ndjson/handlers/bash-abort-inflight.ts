import type { Handler } from '../session.js'
import { CALL_ABORTED } from '../wire.js'

/**
 * `bash_abort_inflight`: the harness's call was cancelled: kills the commands whose replies this
 * session is still waiting for (their held replies then settle as killed). Background tasks, and
 * other sessions' calls, are left alone (a `session_id` in the params is not looked at).
 */
export const handleBashAbortInflight: Handler = async (ctx) => {
  const session = ctx.sessions().find((open) => open.id === ctx.sessionId)
  const held = session ? [...session.held] : []
  await Promise.all(held.map((taskId) => session!.tm.kill(taskId, { by: CALL_ABORTED })))
  return { killed: held.length }
}
