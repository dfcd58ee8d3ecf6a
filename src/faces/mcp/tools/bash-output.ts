import * as z from 'zod'
import { BgbashError, type ReadResult, type TaskRecord } from '../../../index.js'
import { describeTask } from '../format.js'
import { compilePattern, intSchema, patternSchema, taskIdSchema } from '../params.js'
import { defineTool, type ToolContext, type ToolReply } from '../tool.js'
import { cleanText, FOREGROUND_RESULT_BYTES } from '../view.js'
import { recordToWire, taskRecordSchema } from '../wire.js'

const MAX_LINES = 100_000
const DEFAULT_CONTEXT_LINES = 2
const DEFAULT_MAX_MATCHES = 50

const inputSchema = z.strictObject({
  task_id: taskIdSchema,
  tail_lines: intSchema('tail_lines', 1, MAX_LINES).optional().describe('The last N lines (≤ 100000)'),
  head_lines: intSchema('head_lines', 1, MAX_LINES).optional().describe('The first N lines (≤ 100000)'),
  offset: intSchema('offset', 0, Number.MAX_SAFE_INTEGER)
    .optional()
    .describe('Byte offset to read from (a next_offset)'),
  grep: patternSchema('grep').optional().describe('Regex: only matching lines'),
  context_lines: intSchema('context_lines', 0, 50)
    .optional()
    .describe(`With grep (default ${DEFAULT_CONTEXT_LINES}, max 50)`),
  max_matches: intSchema('max_matches', 1, 1000)
    .optional()
    .describe(`With grep (default ${DEFAULT_MAX_MATCHES}, max 1000)`),
  raw: z.boolean({ error: 'raw must be true or false' }).optional().describe('As written, escape codes kept'),
})

type Args = z.output<typeof inputSchema>

export const bashOutputTool = defineTool({
  name: 'bash_output',
  title: 'Read a task’s output',
  description:
    "A task's state and output (stdout and stderr together). With task_id alone: the output new since " +
    'your last read. Or one of tail_lines, head_lines, offset, grep.',
  inputSchema,
  outputShape: {
    task: taskRecordSchema,
    task_id: z.string(),
    status: z.string(),
    mode: z.enum(['new', 'tail', 'head', 'range', 'grep']),
    text: z.string(),
    offset: z.number().describe('Absolute offset of the first byte read'),
    next_offset: z.number().describe('Pass as offset to continue after this read'),
    total_bytes: z.number(),
    dropped_bytes: z.number().describe('Bytes the disk cap dropped from the middle of the output'),
    eof: z.boolean().describe('The read reached the end of what is written so far'),
    matches: z
      .array(z.object({ line_number: z.number(), offset: z.number(), line: z.string() }))
      .optional()
      .describe('With grep: the matching lines'),
    truncated: z.boolean().optional().describe('With grep: stopped at max_matches or the byte budget'),
  },
  annotations: { readOnlyHint: true, idempotentHint: false, openWorldHint: false },
  async run(args, ctx) {
    checkCombination(args)
    const record = await ctx.tm.status(args.task_id)
    const head = `${describeTask(record)}${record.statusReason ? `\n(${record.statusReason})` : ''}`
    if (args.grep !== undefined) return grep(args, ctx, head, record)
    // A window is at most a foreground result's size: offset pages through the rest.
    const maxBytes = FOREGROUND_RESULT_BYTES
    const mode = args.tail_lines
      ? 'tail'
      : args.head_lines
        ? 'head'
        : args.offset !== undefined
          ? 'range'
          : 'new'
    // "new" reads on from this session's cursor (kept in the store) and moves it; what "tail" shows
    // counts as read too, so the next plain call continues after it.
    const read = await ctx.tm.read(args.task_id, {
      offset: args.offset,
      fromCursor: mode === 'new',
      maxBytes,
      tailLines: args.tail_lines,
      headLines: args.head_lines,
    })
    if (mode === 'tail') await ctx.tm.advanceCursor(args.task_id, read.nextOffset)
    const text = args.raw ? read.text : cleanText(read.text)
    return {
      text: `${head}\n${describeRead(mode, read, text)}`,
      structured: {
        task: recordToWire(record),
        task_id: args.task_id,
        status: read.status,
        mode,
        text,
        offset: read.offset,
        next_offset: read.nextOffset,
        total_bytes: read.totalBytes,
        dropped_bytes: read.droppedBytes,
        eof: read.eof,
      },
    }
  },
})

function checkCombination(args: Args): void {
  const windows = [
    args.tail_lines !== undefined && 'tail_lines',
    args.head_lines !== undefined && 'head_lines',
    args.grep !== undefined && 'grep',
  ].filter(Boolean)
  const conflict =
    windows.length > 1
      ? windows.join(' and ')
      : args.tail_lines !== undefined && args.offset !== undefined
        ? 'tail_lines and offset'
        : undefined
  if (conflict) {
    throw new BgbashError(
      'invalid_request',
      `Invalid bash_output parameters: ${conflict} cannot be combined. Pick one way to read: new (no options), tail_lines, head_lines, offset, or grep.`,
    )
  }
  if ((args.context_lines !== undefined || args.max_matches !== undefined) && args.grep === undefined) {
    throw new BgbashError(
      'invalid_request',
      'Invalid bash_output parameters: context_lines and max_matches only apply with grep.',
    )
  }
}

function describeRead(mode: string, read: ReadResult, text: string): string {
  const range = `bytes ${read.offset}–${read.nextOffset} of ${read.totalBytes}`
  const lines: string[] = []
  if (mode === 'new' && read.nextOffset === read.offset) {
    const more = read.status === 'running' ? ' bash_wait waits for more.' : ''
    return `No new output since your last read (${read.totalBytes} bytes in all).${more}`
  }
  const what = mode === 'new' ? 'new since your last read' : mode
  lines.push(`Output, ${what}, ${range}:`)
  lines.push(text)
  if (read.droppedBytes > 0) lines.push(`(${read.droppedBytes} bytes were dropped by the disk cap)`)
  if (!read.eof && mode !== 'tail') {
    lines.push(
      `(${read.totalBytes - read.nextOffset} more bytes: call bash_output with offset=${read.nextOffset} to continue, or tail_lines for the end)`,
    )
  }
  return lines.join('\n')
}

async function grep(args: Args, ctx: ToolContext, head: string, record: TaskRecord): Promise<ToolReply> {
  const pattern = compilePattern('grep', args.grep!)
  const result = await ctx.tm.read(args.task_id, {
    offset: args.offset,
    grep: pattern,
    contextLines: args.context_lines ?? DEFAULT_CONTEXT_LINES,
    maxMatches: args.max_matches ?? DEFAULT_MAX_MATCHES,
    maxBytes: FOREGROUND_RESULT_BYTES,
    raw: args.raw === true,
  })
  const matches = result.matches ?? []
  const status = { status: result.status }
  const header =
    matches.length === 0
      ? `${head}\nNo line of its output matches ${pattern}.`
      : `${head}\n${matches.length} line${matches.length === 1 ? '' : 's'} of its output match ${pattern} (N: match, N- context):`
  const notes: string[] = []
  if (result.truncated) {
    notes.push(
      `(stopped early at offset ${result.nextOffset}: pass offset=${result.nextOffset} to search on, or raise max_matches)`,
    )
  }
  if (result.droppedBytes > 0) {
    notes.push(
      `(${result.droppedBytes} bytes were dropped by the disk cap: line numbers after the gap are low)`,
    )
  }
  return {
    text: [header, result.text, ...notes].filter((part) => part !== '').join('\n'),
    structured: {
      task: recordToWire(record),
      task_id: args.task_id,
      status: status.status,
      mode: 'grep',
      text: result.text,
      offset: args.offset ?? 0,
      next_offset: result.nextOffset,
      total_bytes: result.totalBytes,
      dropped_bytes: result.droppedBytes,
      eof: !result.truncated,
      matches: matches.map((m) => ({ line_number: m.lineNumber, offset: m.offset, line: m.line })),
      truncated: result.truncated,
    },
  }
}
