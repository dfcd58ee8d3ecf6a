import * as z from 'zod'
import { describeTask } from '../format.js'
import { allSessionsSchema, taskIdSchema } from '../params.js'
import { defineTool } from '../tool.js'
import { readRawTail, readTailView, STATUS_PREVIEW_BYTES } from '../view.js'
import { recordToWire, taskRecordSchema } from '../wire.js'

export const bashStatusTool = defineTool({
  name: 'bash_status',
  title: 'Show a background task',
  description:
    "Show one task's record (status, exit code, duration, pid, command, output size, leftover processes) " +
    'and the last lines of its output (up to 8 KiB). Use it once to check on a task; to wait for a task ' +
    'to end or print something, call bash_wait instead of calling this repeatedly.',
  inputSchema: z.strictObject({
    task_id: taskIdSchema,
    raw: z
      .boolean({ error: 'raw must be true or false' })
      .optional()
      .describe('Preview the last bytes exactly as written, escape codes included (default false: cleaned)'),
    all_sessions: allSessionsSchema,
  }),
  outputShape: {
    task: taskRecordSchema,
    preview: z.string().describe('The end of the output, ANSI stripped (exact bytes with raw: true)'),
    preview_truncated: z.boolean(),
  },
  annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  async run(args, ctx) {
    const record = await ctx.tm.status(args.task_id)
    const view = args.raw
      ? await readRawTail(ctx.tm, record.taskId, STATUS_PREVIEW_BYTES)
      : await readTailView(ctx.tm, record.taskId, STATUS_PREVIEW_BYTES)
    const lines = [describeTask(record)]
    if (record.description) lines.push(`description: ${record.description}`)
    lines.push(`cwd: ${record.cwd}`, `output: ${record.outputBytes} bytes`)
    if (record.droppedBytes > 0) lines.push(`dropped by the disk cap: ${record.droppedBytes} bytes`)
    if (record.statusReason) lines.push(`note: ${record.statusReason}`)
    for (const leftover of record.leftoverProcesses ?? []) {
      lines.push(`still alive after the shell exited: pid ${leftover.pid} ${leftover.command}`)
    }
    lines.push('--- output (end) ---', view.text === '' ? '(no output)' : view.text)
    return {
      text: lines.join('\n'),
      structured: { task: recordToWire(record), preview: view.text, preview_truncated: view.truncated },
    }
  },
})
