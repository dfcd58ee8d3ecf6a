import { buildView, STATUS_PREVIEW_BYTES, type TaskManager } from '../../index.js'
import { withFinalNewline } from './wire.js'

/** What a status preview reads from the end of the log before building its view. */
const PREVIEW_READ_BYTES = 64 * 1024

/** A model-sized view of the end of a task's output (SPEC §7 status budget: 8 KiB). */
export async function readPreview(
  tm: TaskManager,
  taskId: string,
): Promise<{ text: string; truncated: boolean }> {
  const tail = await tm.read(taskId, { tailLines: 2000, maxBytes: PREVIEW_READ_BYTES })
  const view = buildView(tail.text, {
    budgetBytes: STATUS_PREVIEW_BYTES,
    readHint: `read them with bash_status output_offset (from ${tail.offset})`,
  })
  return {
    text: withFinalNewline(view.text, tail.text.endsWith('\n')),
    truncated: view.truncated || tail.offset > 0,
  }
}
