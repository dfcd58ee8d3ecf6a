import { readTaskId } from '../params.js'
import { readPreview } from '../preview.js'
import { type Handler, managerOf } from '../session.js'
import { recordToWire } from '../wire.js'

/**
 * `bash_kill`: kills the task's whole process tree and returns its terminal snapshot. A task that
 * already ended keeps its status; what its command left running is killed, and the reply says how
 * many it reached (`kill_signaled`, `kill_reached`), as AFT's does.
 */
export const handleBashKill: Handler = async (ctx, params) => {
  const taskId = readTaskId('bash_kill', params)
  const tm = await managerOf(ctx, taskId)
  const askedAt = Date.now()
  const record = await tm.kill(taskId, { by: 'ndjson' })
  const frame = recordToWire(record, await readPreview(tm, taskId))
  const reached = record.killedLeftovers
  if (record.alreadyFinished && reached && reached.at >= askedAt) {
    frame.kill_signaled = true
    frame.kill_reached = reached.processes.length
  }
  return frame
}
