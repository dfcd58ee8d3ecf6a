// A stop-gap until src/output lands (SPEC §7 views): this keeps only ANSI stripping, redraw
// collapse and a head + tail cut within a byte budget. Switch callers to src/output's buildView then.
import stripAnsi from 'strip-ansi'
import type { TaskManager } from '../../index.js'

/** Foreground result budget (SPEC §7: 16 KiB). */
export const FOREGROUND_RESULT_BYTES = 16 * 1024
/** Status preview budget (SPEC §7: 8 KiB). */
export const STATUS_PREVIEW_BYTES = 8 * 1024

/** Share of a budget given to the head of the output; the tail usually says more (errors, summaries). */
const HEAD_SHARE = 0.25

export interface OutputView {
  text: string
  /** Something was left out: the middle of the output, or bytes the disk cap dropped. */
  truncated: boolean
  /** Absolute offset just after the last byte shown. */
  endOffset: number
  totalBytes: number
}

/** Text as a person would see it on a terminal: no escape sequences, each `\r` redraw at its last state. */
export function cleanText(text: string): string {
  return stripAnsi(text)
    .split('\n')
    .map((line) => {
      const body = line.endsWith('\r') ? line.slice(0, -1) : line
      const at = body.lastIndexOf('\r')
      return at < 0 ? body : body.slice(at + 1)
    })
    .join('\n')
}

/**
 * A model-sized view of a task's output: all of it when it fits the budget, else its head and
 * tail with a marker saying how many bytes were left out and how to read them. Reads at most
 * `budgetBytes` from the log, whatever its size.
 */
export async function readOutputView(tm: TaskManager, taskId: string, budgetBytes: number): Promise<OutputView> {
  const head = await tm.read(taskId, { offset: 0, maxBytes: budgetBytes })
  if (head.eof) {
    return {
      text: cleanText(head.text),
      truncated: head.droppedBytes > 0,
      endOffset: head.nextOffset,
      totalBytes: head.totalBytes,
    }
  }
  const headBytes = Math.floor(budgetBytes * HEAD_SHARE)
  const tailBytes = budgetBytes - headBytes
  const headPart = await tm.read(taskId, { offset: 0, maxBytes: headBytes })
  const tail = await tm.read(taskId, { offset: Math.max(0, head.totalBytes - tailBytes), maxBytes: tailBytes })
  const omitted = tail.offset - headPart.nextOffset - tail.droppedBytes
  const marker =
    `\n… ${omitted > 0 ? `${omitted} bytes` : 'some output'} left out` +
    `${tail.droppedBytes > 0 ? ` (${tail.droppedBytes} more dropped by the disk cap)` : ''}` +
    `: read them with bash_output task_id=${taskId} offset=${headPart.nextOffset} …\n`
  return {
    text: `${cleanText(headPart.text)}${marker}${cleanText(tail.text)}`,
    truncated: true,
    endOffset: tail.nextOffset,
    totalBytes: tail.totalBytes,
  }
}

/** The last `budgetBytes` of a task's output (a status preview). */
export async function readTailView(tm: TaskManager, taskId: string, budgetBytes: number): Promise<OutputView> {
  const tail = await tm.read(taskId, { tailLines: 200, maxBytes: budgetBytes })
  const isCut = tail.offset > 0 || tail.droppedBytes > 0
  return {
    text: `${isCut ? `… ${tail.offset} earlier bytes not shown\n` : ''}${cleanText(tail.text)}`,
    truncated: isCut,
    endOffset: tail.nextOffset,
    totalBytes: tail.totalBytes,
  }
}
