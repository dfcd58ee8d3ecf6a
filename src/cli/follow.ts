import { isTerminal, type ReadResult, stripAnsi, type TaskManager, type TaskRecord } from '../index.js'
import type { CliContext } from './context.js'
import { writeLine } from './io.js'
import { toSnakeCase } from './json.js'

/** Bytes read per step while following a log. */
const FOLLOW_CHUNK_BYTES = 256 * 1024

/** Longest single wait for new output before looking again (the wait is event driven). */
const FOLLOW_WAIT_MS = 60_000

export interface FollowHandlers {
  /** New output, in order. */
  onText(window: ReadResult): void
  /** The disk cap dropped bytes the follower had not read yet. */
  onGap(fromOffset: number, toOffset: number): void
}

/**
 * Streams a task's output from `fromOffset` as it is written, until the task has ended and its
 * last bytes are out; returns its terminal record, or undefined when `signal` stopped it first.
 * Old bytes dropped by the disk cap mid-follow are reported as a gap and skipped.
 */
export async function followLog(
  tm: TaskManager,
  taskId: string,
  fromOffset: number,
  handlers: FollowHandlers,
  signal?: AbortSignal,
): Promise<TaskRecord | undefined> {
  let offset = fromOffset
  let sawEnd = false
  for (;;) {
    if (signal?.aborted) return undefined
    const window = await tm.read(taskId, { offset, maxBytes: FOLLOW_CHUNK_BYTES, allSessions: true })
    reportGaps(offset, window, handlers.onGap, () => handlers.onText(window))
    offset = window.nextOffset
    if (!window.eof) continue
    if (isTerminal(window.status)) {
      // The status was read after the bytes: one more read catches what landed in between.
      if (sawEnd && window.text === '') return markWatched(tm, await tm.status(taskId, { allSessions: true }))
      sawEnd = true
      continue
    }
    await tm.waitForOutput(taskId, {
      afterOffset: offset,
      timeoutMs: FOLLOW_WAIT_MS,
      signal,
      allSessions: true,
    })
  }
}

/**
 * Passes on a read window and the bytes the disk cap dropped around it: before it (the reader was
 * behind the first kept byte) and after it (the read stopped at a hole and the next offset jumps it).
 */
export function reportGaps(
  offset: number,
  window: ReadResult,
  onGap: (fromOffset: number, toOffset: number) => void,
  onText: () => void,
): void {
  if (window.offset > offset) onGap(offset, window.offset)
  if (window.text !== '') onText()
  // Counted on the bytes: a byte that is not UTF-8 is three in the text, which hid the gap's start.
  const end = window.offset + (window.bytes?.length ?? Buffer.byteLength(window.text))
  if (window.nextOffset > end) onGap(end, window.nextOffset)
}

/**
 * Removes ANSI sequences from a stream of text chunks; a sequence cut by a chunk boundary is held
 * back until the next chunk completes it.
 */
export class AnsiStripper {
  private carry = ''

  push(text: string): string {
    const data = this.carry + text
    this.carry = ''
    const lastEscape = data.lastIndexOf('\x1b')
    if (lastEscape >= 0 && data.length - lastEscape < 256) {
      const tail = data.slice(lastEscape)
      // stripAnsi leaves an unfinished sequence alone: keep it for the next chunk.
      if (stripAnsi(tail) === tail) {
        this.carry = tail
        return stripAnsi(data.slice(0, lastEscape))
      }
    }
    return stripAnsi(data)
  }

  flush(): string {
    const rest = this.carry
    this.carry = ''
    return rest
  }
}

export interface FollowPrintOptions {
  fromOffset: number
  /** The bytes as written, ANSI sequences included. */
  raw: boolean
}

/**
 * Follows a task's log onto stdout: text (ANSI stripped unless raw), or with --json one NDJSON
 * event per chunk (`output`, `dropped`) and a last `end` event with the record. Gaps left by the
 * disk cap are announced on stderr. Returns the terminal record, or undefined on Ctrl-C.
 */
export async function printFollow(
  ctx: CliContext,
  tm: TaskManager,
  taskId: string,
  options: FollowPrintOptions,
): Promise<TaskRecord | undefined> {
  const stripper = new AnsiStripper()
  const emit = (event: Record<string, unknown>) =>
    ctx.io.stdout.write(`${JSON.stringify(toSnakeCase(event))}\n`)
  const ended = await followLog(
    tm,
    taskId,
    options.fromOffset,
    {
      onText: (window) => {
        const text = options.raw ? window.text : stripper.push(window.text)
        if (ctx.json) emit({ event: 'output', taskId, offset: window.offset, text })
        else ctx.io.stdout.write(text)
      },
      onGap: (from, to) => {
        if (ctx.json) emit({ event: 'dropped', taskId, fromOffset: from, toOffset: to })
        else
          writeLine(ctx.io.stderr, ctx.color.yellow(`bgbash: … ${to - from} bytes dropped by the disk cap …`))
      },
    },
    ctx.io.signal,
  )
  const rest = stripper.flush()
  if (rest !== '' && !ctx.json) ctx.io.stdout.write(rest)
  if (ended && ctx.json) emit({ event: 'end', task: ended })
  return ended
}

/**
 * The person watched this task end: its completion is not owed any more. Only the CLI owner's
 * own tasks are marked (an agent's task stays owed to the agent: `ackCompletions` skips it).
 */
export async function markWatched(tm: TaskManager, record: TaskRecord): Promise<TaskRecord> {
  if (isTerminal(record.status) && !record.delivered) await tm.ackCompletions([record.taskId])
  return record
}
