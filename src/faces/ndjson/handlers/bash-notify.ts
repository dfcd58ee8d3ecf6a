import { MAX_WATCHES_PER_TASK } from '../../../index.js'
import { readBoolean, readString, readTaskId } from '../params.js'
import { WireError } from '../protocol.js'
import type { Handler } from '../session.js'

/** Characters kept around a match: AFT sends about 100 before and 500 after. */
const CONTEXT_BEFORE = 100
const CONTEXT_AFTER = 500

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/** `bash_notify`: pushes `bash_pattern_match` when a substring or regex appears in the output. */
export const handleBashNotify: Handler = async (ctx, params) => {
  const taskId = readTaskId('bash_notify', params)
  const substring = readString('bash_notify', params, 'pattern')
  const source = readString('bash_notify', params, 'regex')
  const once = readBoolean('bash_notify', params, 'once', true)
  if (substring === undefined && source === undefined)
    throw new WireError('invalid_request', 'bash_notify: missing pattern or regex')
  let pattern: RegExp
  try {
    pattern = source === undefined ? new RegExp(escapeRegExp(substring!)) : new RegExp(source)
  } catch (error) {
    throw new WireError('invalid_request', `bash_notify: invalid regex: ${(error as Error).message}`)
  }
  const session = await ctx.session()
  let watchId: string
  try {
    watchId = session.tm.watchOutput(taskId, pattern, { once }, (event) => {
      const text = event.match?.context ?? ''
      const at = event.match ? text.indexOf(event.match.line) : 0
      const frame = {
        type: 'bash_pattern_match',
        task_id: event.taskId,
        session_id: session.id,
        watch_id: event.watchId,
        match_text: event.match?.text ?? null,
        match_offset: event.match?.offset ?? null,
        context: event.match ? text.slice(Math.max(0, at - CONTEXT_BEFORE), at + CONTEXT_AFTER) : '',
        once: event.once,
        reason: event.reason,
      }
      session.pendingMatches.push(frame)
      if (session.pendingMatches.length > 100) session.pendingMatches.shift()
      ctx.push(frame)
    })
  } catch (error) {
    if ((error as { code?: string }).code === 'limit_exceeded') {
      throw new WireError(
        'too_many_watches',
        `bash_notify: ${taskId} already has ${MAX_WATCHES_PER_TASK} watches`,
      )
    }
    throw error
  }
  return { watch_id: watchId }
}
