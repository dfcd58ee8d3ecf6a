import { buildView, STATUS_PREVIEW_BYTES, type TaskManager } from '../../index.js'
import { withFinalNewline } from './wire.js'

/** What a status preview reads from the end of the log before building its view. */
const PREVIEW_READ_BYTES = 64 * 1024

/**
 * A model-sized view of the end of a task's output: by default SPEC §7's status budget (8 KiB), a
 * foreground reply passes its own.
 */
export async function readPreview(
  tm: TaskManager,
  taskId: string,
  budgetBytes = STATUS_PREVIEW_BYTES,
): Promise<{ text: string; truncated: boolean }> {
  const tail = await tm.read(taskId, { tailLines: 2000, maxBytes: PREVIEW_READ_BYTES })
  const view = buildView(tail.text, {
    budgetBytes,
    readHint: `read them with bash_status output_offset (from ${tail.offset})`,
  })
  return {
    text: withFinalNewline(view.text, tail.text.endsWith('\n')),
    truncated: view.truncated || tail.offset > 0,
  }
}
