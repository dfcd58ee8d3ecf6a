import type { Logger, TaskRecord } from '../../index.js'
import type { Frame } from './protocol.js'
import type { Session } from './session.js'
import { exitFrames } from './watch-frames.js'
import type { WatchLedger } from './watch-ledger.js'
import { completionToWire } from './wire.js'

interface Wiring {
  send: (frame: Frame) => void
  watches: WatchLedger
  logger: Logger | undefined
}

/**
 * What a session's manager pushes to the harness: a `bash_completed` frame when one of the
 * session's tasks ends while this engine runs (tasks that ended while no engine ran wait for
 * drain), or what its watches say instead (see WatchLedger.noticeAtEnd), and the long-running
 * reminders.
 */
export function pushSessionEvents(session: Session, { send, watches, logger }: Wiring): void {
  const { tm } = session
  const warn = (what: string) => (error: unknown) => logger?.warn?.(what, { error: String(error) })
  tm.on('task_ended', (record) => {
    const notice = watches.noticeAtEnd(record.taskId)
    if (notice !== 'completion') {
      endWatchedTask(session, record, notice === 'exit_frame', { send, watches }).catch(
        warn('could not tell a watched task ended'),
      )
      return
    }
    if (!record.notify || session.pushed.has(record.taskId)) return
    session.pushed.add(record.taskId)
    tm.peekCompletions([record.taskId])
      .then(([completion]) => {
        if (completion) send({ type: 'bash_completed', ...completionToWire(completion) })
      })
      .catch(warn('could not push completion'))
  })
  tm.on('long_running', (notice) =>
    send({
      type: 'bash_long_running',
      task_id: notice.taskId,
      session_id: notice.sessionId,
      command: notice.command,
      elapsed_ms: notice.elapsedMs,
    }),
  )
}

/** A watched task ended: its completion is not owed (the watches tell it), with one exit frame when asked. */
async function endWatchedTask(
  session: Session,
  record: TaskRecord,
  withExitFrame: boolean,
  { send, watches }: Omit<Wiring, 'logger'>,
): Promise<void> {
  session.pushed.add(record.taskId)
  if (withExitFrame) {
    const { pushed, owed } = await exitFrames(session.tm, record, session.id)
    watches.addPending(record.taskId, session.id, owed)
    send(pushed)
  }
  await session.tm.ackCompletions([record.taskId])
}
