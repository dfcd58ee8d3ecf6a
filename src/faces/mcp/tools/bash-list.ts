import * as z from 'zod'
import { TaskStatus } from '../../../index.js'
import { formatTable } from '../format.js'
import { defineTool } from '../tool.js'
import { recordToWire, taskRecordSchema } from '../wire.js'

/** Most tasks a list shows, newest first. */
const LIMIT = 50
const ACTIVE = [TaskStatus.starting, TaskStatus.running, TaskStatus.killing]

export const bashListTool = defineTool({
  name: 'bash_list',
  title: 'List background tasks',
  description: 'List your tasks, newest first.',
  inputSchema: z.strictObject({
    status: z
      .enum(['active', ...Object.values(TaskStatus)], {
        error: `status must be one of: active, ${Object.values(TaskStatus).join(', ')}`,
      })
      .optional()
      .describe('"active": not ended yet'),
    all_sessions: z
      .boolean({ error: 'all_sessions must be true or false' })
      .optional()
      .describe("Also the tasks of this project's other clients"),
  }),
  outputShape: {
    tasks: z.array(taskRecordSchema),
    total: z.number().describe('Tasks that matched, before the limit'),
  },
  annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  async run(args, ctx) {
    const status = args.status === 'active' ? ACTIVE : args.status
    const records = await ctx.tm.list({ scope: args.all_sessions ? 'project' : 'mine', status })
    const shown = records.slice(0, LIMIT)
    const scope = args.all_sessions ? 'this project' : 'this session'
    const text =
      records.length === 0
        ? `No tasks${args.status ? ` with status ${args.status}` : ''} in ${scope}.`
        : `${records.length} task${records.length === 1 ? '' : 's'} in ${scope}${shown.length < records.length ? ` (newest ${shown.length} shown)` : ''}:\n${formatTable(shown)}`
    return { text, structured: { tasks: shown.map(recordToWire), total: records.length } }
  },
})
