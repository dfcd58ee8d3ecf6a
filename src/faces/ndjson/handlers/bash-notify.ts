import { MAX_WATCHES_PER_TASK, type TaskRecord } from '../../../index.js'
import { readBoolean, readString, readTaskId } from '../params.js'
import { type Frame, WireError } from '../protocol.js'
import type { Handler, HandlerContext, Session } from '../session.js'
import { exitFrames, type MatchAt, matchFrame, readMatchContext } from '../watch-frames.js'

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

function readPattern(params: Record<string, unknown>): RegExp {
  const substring = readString('bash_notify', params, 'pattern')
  const source = readString('bash_notify', params, 'regex')
  if (substring === undefined && source === undefined)
    throw new WireError('invalid_request', 'bash_notify: missing pattern or regex')
  try {
    return source === undefined ? new RegExp(escapeRegExp(substring!)) : new RegExp(source, 'm')
  } catch (error) {
    throw new WireError('invalid_request', `bash_notify: invalid regex: ${(error as Error).message}`)
  }
}

/**
 * `bash_notify`: pushes `bash_pattern_match` when a substring or regex appears in the output (once,
 * or every time), to the session that started the task, from whichever session asks. The task's
 * end is then told by the watches (WatchLedger.noticeAtEnd), not by a completion. On a task that
 * already ended, one frame at once (its first match, or how it ended) replaces its completion.
 */
export const handleBashNotify: Handler = async (ctx, params) => {
  const taskId = readTaskId('bash_notify', params)
  const pattern = readPattern(params)
  const once = readBoolean('bash_notify', params, 'once', true)
  const session = await ctx.session()
  const record = await session.tm.status(taskId)
  // The owner's manager tells the task's end; open it here if no request of the owner came yet.
  const owner = await ctx.sessionFor(record.sessionId)
  if (record.finishedAt !== null)
    return { watch_id: await notifyEnded(ctx, owner, record, { pattern, once }) }
  let watchId = ''
  let engineWatchId: string
  try {
    engineWatchId = session.tm.watchOutput(taskId, pattern, { once }, (event) => {
      if (event.reason !== 'pattern_match' || !event.match) return
      const match: MatchAt = {
        taskId,
        owner: owner.id,
        watchId,
        text: event.match.text,
        offset: event.match.matchOffset,
        once,
      }
      // Owed at once, so the task's end (decided synchronously) sees it; pushed with its context.
      const frame = matchFrame(match)
      ctx.watches.addPending(taskId, owner.id, frame, once ? watchId : undefined)
      readMatchContext(session.tm, match)
        .then((context) => {
          frame.context = context
        })
        .catch(() => {
          // The output could not be read (the task was removed): the frame goes without context.
        })
        .finally(() => ctx.push(frame))
    })
  } catch (error) {
    if ((error as { code?: string }).code === 'limit_exceeded') {
      throw new WireError(
        'too_many_watches',
        `bash_notify: ${taskId} already has ${MAX_WATCHES_PER_TASK} watches`,
      )
    }
    throw error
  }
  watchId = ctx.watches.add({ taskId, owner: owner.id, registrar: session.id, engineWatchId })
  return { watch_id: watchId }
}

/**
 * A watch on a task that already ended: its first match, or how it ended, pushed at once and
 * owed to the owner until acked, in place of the task's completion.
 */
async function notifyEnded(
  ctx: HandlerContext,
  owner: Session,
  record: TaskRecord,
  { pattern, once }: { pattern: RegExp; once: boolean },
): Promise<string> {
  const watchId = ctx.watches.newWatchId()
  const found = await owner.tm.read(record.taskId, {
    grep: pattern,
    maxMatches: 1,
    contextLines: 0,
    raw: true,
  })
  const first = found.matches?.[0]
  let pushed: Frame
  let owed: Frame
  if (first) {
    const at = pattern.exec(first.line)
    const text = at?.[0] ?? first.line
    const match: MatchAt = {
      taskId: record.taskId,
      owner: owner.id,
      watchId,
      text,
      offset: first.offset + Buffer.byteLength(first.line.slice(0, at?.index ?? 0)),
      once,
    }
    pushed = { ...matchFrame(match), context: await readMatchContext(owner.tm, match) }
    owed = pushed
  } else {
    ;({ pushed, owed } = await exitFrames(owner.tm, record, owner.id))
  }
  ctx.watches.addPending(record.taskId, owner.id, owed)
  await owner.tm.ackCompletions([record.taskId])
  ctx.push(pushed)
  return watchId
}
