// Model views of a task's output, read from the log in bounded windows and built by the shared
// view (src/output via the public API): ANSI stripped, redraws collapsed, repeats folded, error
// lines kept, head and tail within a byte budget.
import {
  buildView,
  cleanText,
  FOREGROUND_RESULT_BYTES,
  type ReadResult,
  type TaskManager,
} from '../../index.js'

export { cleanText, FOREGROUND_RESULT_BYTES }

/** Bytes read from each end of a log to build a view (as completions do): views are at most 16 KiB. */
const VIEW_HEAD_BYTES = 16 * 1024
const VIEW_TAIL_BYTES = 64 * 1024

export interface TaskOutputView {
  text: string
  /** Something was left out: lines of the middle, or bytes the disk cap dropped. */
  truncated: boolean
  /** Absolute offset just after the last byte the view covers (the end of the log when it was read). */
  endOffset: number
  totalBytes: number
}

/**
 * The foreground view of a task's whole output: its head and tail (and the error lines between
 * them) within `budgetBytes`. Reads at most 80 KiB of the log, whatever its size.
 */
export async function readOutputView(
  tm: TaskManager,
  taskId: string,
  budgetBytes: number,
): Promise<TaskOutputView> {
  const head = await tm.read(taskId, { offset: 0, maxBytes: VIEW_HEAD_BYTES })
  let text = head.text
  let endOffset = head.nextOffset
  let isCut = head.droppedBytes > 0
  if (!head.eof) {
    // Both windows end or start mid-line: keep whole lines only. Offsets count the bytes as
    // written (a byte that is not UTF-8 is three in the text).
    const headBytes = cutAfterLastNewline(bytesOf(head))
    text = headBytes.toString('utf8')
    const headEnd = head.offset + headBytes.length
    const tail = await tm.read(taskId, {
      offset: Math.max(headEnd, head.totalBytes - VIEW_TAIL_BYTES),
      maxBytes: VIEW_TAIL_BYTES,
    })
    const tailBytes = bytesOf(tail)
    const tailStart = tail.offset > headEnd ? tailBytes.indexOf(0x0a) + 1 : 0
    const gap = tail.offset + tailStart - headEnd
    if (gap > 0) {
      isCut = true
      text += `… ${gap} bytes not read here: bash_output task_id=${taskId} offset=${headEnd} reads them …\n`
    }
    text += tailBytes.subarray(tailStart).toString('utf8')
    endOffset = tail.nextOffset
  }
  const view = buildView(text, {
    budgetBytes,
    readHint: `read them with bash_output task_id=${taskId} (offset, tail_lines or grep)`,
    terse: true,
  })
  return { text: view.text, truncated: view.truncated || isCut, endOffset, totalBytes: head.totalBytes }
}

/** A window read's bytes as written (a window read always carries them). */
function bytesOf(read: ReadResult): Buffer {
  return read.bytes ?? Buffer.from(read.text)
}

function cutAfterLastNewline(bytes: Buffer): Buffer {
  const at = bytes.lastIndexOf(0x0a)
  return at < 0 ? bytes : bytes.subarray(0, at + 1)
}
