import { readString, readTaskId } from '../params.js'
import type { Handler } from '../session.js'

/** `bash_unnotify`: removes a watch; answers `unregistered: true` also for unknown ids, as AFT does. */
export const handleBashUnnotify: Handler = async (ctx, params) => {
  const taskId = readTaskId('bash_unnotify', params)
  const watchId = readString('bash_unnotify', params, 'watch_id', true)
  const { tm } = await ctx.session()
  tm.unwatchOutput(taskId, watchId)
  return { unregistered: true }
}
