import type { TaskManager } from '../../index.js'

/** Status preview budget (SPEC §7: 8 KiB). */
const STATUS_PREVIEW_BYTES = 8 * 1024

/** The end of a task's output within the status budget. */
export async function readPreview(
  tm: TaskManager,
  taskId: string,
): Promise<{ text: string; truncated: boolean }> {
  const tail = await tm.read(taskId, { tailLines: 400, maxBytes: STATUS_PREVIEW_BYTES })
  return { text: tail.text, truncated: tail.offset > 0 || tail.droppedBytes > 0 }
}
