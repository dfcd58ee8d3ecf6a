import { readString, readTaskId } from '../params.js'
import type { Handler } from '../session.js'

/** `bash_unnotify`: removes a watch; answers `unregistered: true` also for unknown ids, as AFT does. */
export const handleBashUnnotify: Handler = async (ctx, params) => {
  const taskId = readTaskId('bash_unnotify', params)
  const watchId = readString('bash_unnotify', params, 'watch_id', true)
  const watch = ctx.watches.remove(taskId, watchId)
  if (watch) (await ctx.sessionFor(watch.registrar)).tm.unwatchOutput(taskId, watch.engineWatchId)
  return { unregistered: true }
}
