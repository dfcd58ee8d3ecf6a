import { readinessToWire, readReadiness } from '../../readiness.js'
import { readBoolean, readInteger, readString, readStringMap } from '../params.js'
import { readPreview } from '../preview.js'
import { WireError } from '../protocol.js'
import type { Handler } from '../session.js'
import { recordToWire } from '../wire.js'

const SEVEN_DAYS_MS = 7 * 24 * 3600 * 1000

/** `bash`: starts a command in the background and answers at once with its task id (AFT semantics). */
export const handleBash: Handler = async (ctx, params) => {
  const command = readString('bash', params, 'command', true)
  const background = readBoolean('bash', params, 'background', false)
  const wait = readBoolean('bash', params, 'wait', false)
  if (wait && background)
    throw new WireError('invalid_request', 'bash: wait:true cannot be used with background:true')
  if (background && !ctx.settings.backgroundEnabled) {
    throw new WireError(
      'feature_disabled',
      'Background bash is disabled by configure: set `bash: { background: true }` (or `bash: true`) in the config to run commands in the background.',
    )
  }
  const timeoutMs = readInteger('bash', params, 'timeout', 0, SEVEN_DAYS_MS)
  // bgbash extension: answer once the task is ready (a line, a port, a URL) instead of at once.
  const readiness = readReadiness(params)
  if (readiness.readyWhen && wait) {
    throw new WireError('invalid_request', 'bash: ready_when cannot be used with wait:true')
  }
  const session = await ctx.session()
  const record = await session.tm.spawn({
    command,
    cwd: readString('bash', params, 'workdir') ?? ctx.settings.projectRoot,
    env: readStringMap('bash', params, 'env'),
    timeoutMs,
    notify: readBoolean('bash', params, 'notify_on_completion', true),
    description: readString('bash', params, 'description'),
    stdin: readBoolean('bash', params, 'stdin', false),
    ...readiness,
  })
  if (record.ready) {
    return {
      ...recordToWire(record, await readPreview(session.tm, record.taskId)),
      mode: 'pipes',
      ready: readinessToWire(record.ready),
    }
  }
  if (!wait) return { task_id: record.taskId, status: 'running', mode: 'pipes' }
  // wait:true: the caller blocks until the command ends and gets its final snapshot.
  const [ended] = await session.tm.wait([record.taskId])
  const snapshot = recordToWire(ended!, await readPreview(session.tm, record.taskId))
  return { ...snapshot, mode: 'pipes' }
}
