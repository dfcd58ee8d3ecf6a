import { readTaskIdList } from '../params.js'
import type { Handler } from '../session.js'

/** `bash_ack_completions`: marks completions delivered (exactly once, on disk). */
export const handleBashAckCompletions: Handler = async (ctx, params) => {
  const taskIds = readTaskIdList('bash_ack_completions', params, 'task_ids')
  const { tm } = await ctx.session()
  return { acked_task_ids: await tm.ackCompletions(taskIds) }
}
