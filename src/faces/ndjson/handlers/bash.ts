import { readinessToWire, readReadiness } from '../../readiness.js'
import { DEFAULT_FOREGROUND_WAIT_MS, launchReply, promotedReply, terminalReply } from '../foreground.js'
import { readBoolean, readInteger, readString, readStringMap } from '../params.js'
import { readPreview } from '../preview.js'
import type { Frame } from '../protocol.js'
import { WireError } from '../protocol.js'
import { type Handler, HeldReply, type Session } from '../session.js'
import { recordToWire } from '../wire.js'

const SEVEN_DAYS_MS = 7 * 24 * 3600 * 1000

/**
 * `bash`: starts a command and answers at once with its task id, as AFT does. A foreground call
 * orchestrated the way AFT's harness plugins make it (`foreground_orchestrate`) is held until the
 * command ends (one terminal reply) or its wait window passes (promoted to the background);
 * `block_to_completion` and `wait` hold it to the end. A held reply holds nothing else.
 */
export const handleBash: Handler = async (ctx, params) => {
  const command = readString('bash', params, 'command', true)
  const background = readBoolean('bash', params, 'background', false)
  const wait = readBoolean('bash', params, 'wait', false)
  const orchestrate = readBoolean('bash', params, 'foreground_orchestrate', false)
  const block = readBoolean('bash', params, 'block_to_completion', false)
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
  if (readiness.readyWhen && (wait || orchestrate)) {
    throw new WireError(
      'invalid_request',
      'bash: ready_when cannot be used with wait or foreground_orchestrate',
    )
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
      ready: readinessToWire(record.ready),
    }
  }
  if (background) return orchestrate ? launchReply(record.taskId) : runningReply(record.taskId)
  if (wait || (orchestrate && block)) return new HeldReply(holdUntilEnd(session, record.taskId))
  if (orchestrate) {
    const windowMs = ctx.settings.foregroundWaitMs ?? DEFAULT_FOREGROUND_WAIT_MS
    return new HeldReply(holdUntilEnd(session, record.taskId, windowMs))
  }
  return runningReply(record.taskId)
}

function runningReply(taskId: string): Frame {
  return { task_id: taskId, status: 'running', mode: 'pipes' }
}

/**
 * The terminal reply once the task ends; with a window, the promoted reply if it still runs then.
 * While held, the task is what `bash_abort_inflight` kills.
 */
async function holdUntilEnd(session: Session, taskId: string, windowMs?: number): Promise<Frame> {
  session.held.add(taskId)
  try {
    const ended = session.tm.wait([taskId]).then(([record]) => record)
    const record = windowMs === undefined ? await ended : await withinWindow(ended, windowMs)
    if (!record) return promotedReply(taskId, windowMs ?? 0)
    return await terminalReply(session.tm, record)
  } finally {
    session.held.delete(taskId)
  }
}

/**
 * The task's end if it comes within the window, else undefined. The window's timer does not keep
 * the process alive: an engine whose stdin ended exits without waiting out a window.
 */
function withinWindow<T>(ended: Promise<T>, windowMs: number): Promise<T | undefined> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => resolve(undefined), windowMs)
    timer.unref()
    ended.then(
      (value) => {
        clearTimeout(timer)
        resolve(value)
      },
      (error) => {
        clearTimeout(timer)
        reject(error)
      },
    )
  })
}
