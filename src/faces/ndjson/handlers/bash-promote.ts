import { readTaskId } from '../params.js'
import { taskNotFound } from '../protocol.js'
import type { Handler } from '../session.js'
import { completionToWire } from '../wire.js'

/**
 * `bash_promote`: turns notify on; a task that already ended is queued and its frame pushed again.
 * Only the session that started the task may: to any other it is not found, as in AFT.
 */
export const handleBashPromote: Handler = async (ctx, params) => {
  const taskId = readTaskId('bash_promote', params)
  const session = await ctx.session()
  if ((await session.tm.status(taskId)).sessionId !== session.id) throw taskNotFound(taskId)
  const record = await session.tm.promote(taskId)
  if (record.finishedAt !== null) {
    const [owed] = await session.tm.peekCompletions([taskId])
    if (owed) {
      session.pushed.add(taskId)
      ctx.push({ type: 'bash_completed', ...completionToWire(owed) })
    }
  }
  return { task_id: taskId, promoted: true }
}
