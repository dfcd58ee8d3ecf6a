import { readTaskId } from '../params.js'
import type { Handler } from '../session.js'
import { completionToWire } from '../wire.js'

/** `bash_promote`: turns notify on; a task that already ended is queued and its frame pushed again. */
export const handleBashPromote: Handler = async (ctx, params) => {
  const taskId = readTaskId('bash_promote', params)
  const session = await ctx.session()
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
