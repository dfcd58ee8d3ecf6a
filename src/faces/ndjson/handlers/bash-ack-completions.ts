import { isTaskId } from '../../../index.js'
import { readStringList } from '../params.js'
import type { Handler } from '../session.js'

/**
 * `bash_ack_completions`: marks completions delivered (exactly once, on disk), ends the watch
 * frames owed for those tasks, and answers with the ids it was given, as AFT does: an id that is
 * no task of this session's is acked as nothing.
 */
export const handleBashAckCompletions: Handler = async (ctx, params) => {
  const taskIds =
    params.task_ids === undefined ? [] : readStringList('bash_ack_completions', params, 'task_ids')
  const ours = taskIds.filter((id) => isTaskId(id))
  ctx.watches.ack(ctx.sessionId, ours)
  if (ours.length > 0) await (await ctx.session()).tm.ackCompletions(ours)
  return { acked_task_ids: taskIds }
}
