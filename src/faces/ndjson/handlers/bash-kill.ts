import { readTaskId } from '../params.js'
import { readPreview } from '../preview.js'
import type { Handler } from '../session.js'
import { recordToWire } from '../wire.js'

/** `bash_kill`: kills the task's whole process tree and returns its terminal snapshot. */
export const handleBashKill: Handler = async (ctx, params) => {
  const taskId = readTaskId('bash_kill', params)
  const { tm } = await ctx.session()
  const record = await tm.kill(taskId, { by: 'ndjson' })
  return recordToWire(record, await readPreview(tm, taskId))
}
