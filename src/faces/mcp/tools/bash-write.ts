import * as z from 'zod'
import { taskIdSchema } from '../params.js'
import { defineTool } from '../tool.js'

/** Largest input one call writes: 1 MiB. */
const MAX_INPUT_CHARS = 1024 * 1024

export const bashWriteTool = defineTool({
  name: 'bash_write',
  title: 'Write to a task’s stdin',
  description: 'Write to the stdin of a task started with stdin: true.',
  inputSchema: z.strictObject({
    task_id: taskIdSchema,
    input: z
      .string({ error: 'input must be a string' })
      .max(MAX_INPUT_CHARS, { error: `input must be at most ${MAX_INPUT_CHARS} characters` })
      .optional()
      .describe('Text, ≤ 1 MiB; end a line with \\n'),
    eof: z.boolean({ error: 'eof must be true or false' }).optional().describe('Then close stdin'),
  }),
  outputShape: {
    task_id: z.string(),
    bytes_written: z.number(),
    eof: z.boolean(),
  },
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  async run(args, ctx) {
    const isEof = args.eof === true
    const bytes = await ctx.tm.write(args.task_id, args.input ?? '', {
      eof: isEof,
    })
    return {
      text: `Wrote ${bytes} byte${bytes === 1 ? '' : 's'} to the stdin of ${args.task_id}${isEof ? ' and closed it' : ''}.`,
      structured: { task_id: args.task_id, bytes_written: bytes, eof: isEof },
    }
  },
})
