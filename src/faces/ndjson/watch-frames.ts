import type { TaskManager, TaskRecord } from '../../index.js'
import type { Frame } from './protocol.js'

// The `bash_pattern_match` frames of output watches, in AFT's shape.

/** Bytes of output a match frame shows before the match and after it (AFT: about 100 and 500). */
const CONTEXT_BEFORE = 100
const CONTEXT_AFTER = 500
/** Bytes of the end of the output a task_exit frame shows. */
const EXIT_TAIL_BYTES = 500
/** What AFT calls a task_exit frame's watch, and the text the owed copy of it carries. */
const EXIT_WATCH_ID = 'exit'
const EXIT_PENDING_TEXT = 'watch task exited'

export interface MatchAt {
  taskId: string
  /** The session that started the task: the frame is its. */
  owner: string
  watchId: string
  text: string
  /** Byte offset of the match in the output as written. */
  offset: number
  once: boolean
}

/** A match frame, without its context yet (`readMatchContext` fills it). */
export function matchFrame(match: MatchAt): Frame {
  return {
    type: 'bash_pattern_match',
    task_id: match.taskId,
    session_id: match.owner,
    watch_id: match.watchId,
    match_text: match.text,
    match_offset: match.offset,
    context: '',
    once: match.once,
    reason: 'pattern_match',
  }
}

/** The output around a match: from CONTEXT_BEFORE bytes before it to CONTEXT_AFTER after it. */
export async function readMatchContext(tm: TaskManager, match: MatchAt): Promise<string> {
  const start = Math.max(0, match.offset - CONTEXT_BEFORE)
  const end = match.offset + Buffer.byteLength(match.text) + CONTEXT_AFTER
  return (await tm.read(match.taskId, { offset: start, maxBytes: end - start })).text
}

/** How a task ended, in AFT's words. */
function exitSummary(record: TaskRecord): string {
  if (record.status === 'killed') return 'killed'
  if (record.status === 'timed_out') return 'timed out'
  if (record.status === 'lost') return 'fate unknown'
  return `exit ${record.exitCode}`
}

/**
 * The frame that tells a watched task ended without a match (pushed), and the copy owed until
 * the task is acked (drained): AFT gives the two different texts.
 */
export async function exitFrames(
  tm: TaskManager,
  record: TaskRecord,
  owner: string,
): Promise<{ pushed: Frame; owed: Frame }> {
  const summary = exitSummary(record)
  const tail = (await tm.read(record.taskId, { tailLines: 20, maxBytes: EXIT_TAIL_BYTES })).text.trimEnd()
  const pushed: Frame = {
    type: 'bash_pattern_match',
    task_id: record.taskId,
    session_id: owner,
    watch_id: EXIT_WATCH_ID,
    match_text: `exited (${summary})`,
    match_offset: 0,
    context: `task ${record.taskId} exited (${summary})${tail === '' ? '' : `\n${tail}`}`,
    once: true,
    reason: 'task_exit',
  }
  return { pushed, owed: { ...pushed, match_text: EXIT_PENDING_TEXT } }
}
