import { readInteger, readTaskId } from '../params.js'
import { readPreview } from '../preview.js'
import { type Handler, managerOf } from '../session.js'
import { recordToWire } from '../wire.js'

/** Largest chunk one incremental read returns. */
const CHUNK_BYTES = 256 * 1024

/** `bash_status`: a task's snapshot; with `output_offset`, the output from there (base64). */
export const handleBashStatus: Handler = async (ctx, params) => {
  const taskId = readTaskId('bash_status', params)
  const outputOffset = readInteger('bash_status', params, 'output_offset', 0, Number.MAX_SAFE_INTEGER)
  const stderrOffset = readInteger('bash_status', params, 'stderr_offset', 0, Number.MAX_SAFE_INTEGER)
  const tm = await managerOf(ctx, taskId)
  const record = await tm.status(taskId)
  const frame = recordToWire(record, await readPreview(tm, taskId))
  if (outputOffset !== undefined) {
    const chunk = await tm.read(taskId, { offset: outputOffset, maxBytes: CHUNK_BYTES })
    // The bytes as written: text would turn each byte that is not UTF-8 into three (U+FFFD).
    frame.output_chunk_base64 = chunk.bytes?.toString('base64') ?? ''
    frame.output_next_offset = chunk.nextOffset
    frame.output_dropped_bytes = chunk.droppedBytes
  }
  if (stderrOffset !== undefined) {
    // stderr is interleaved into the one output log, in the order written: nothing apart.
    frame.stderr_chunk_base64 = ''
    frame.stderr_next_offset = stderrOffset
  }
  return frame
}
