import * as z from 'zod'
import { BgbashError, type ReadResult } from '../../../index.js'
import { allSessionsSchema, compilePattern, intSchema, patternSchema, taskIdSchema } from '../params.js'
import { defineTool, type ToolContext, type ToolReply } from '../tool.js'
import { cleanText, FOREGROUND_RESULT_BYTES } from '../view.js'

/** Largest window one call returns: 1 MiB (a model rarely wants more in one result). */
const MAX_READ_BYTES = 1024 * 1024
const MAX_LINES = 100_000
const DEFAULT_CONTEXT_LINES = 2
const DEFAULT_MAX_MATCHES = 50

const inputSchema = z.strictObject({
  task_id: taskIdSchema,
  tail_lines: intSchema('tail_lines', 1, MAX_LINES).optional().describe('Return the last N lines'),
  head_lines: intSchema('head_lines', 1, MAX_LINES)
    .optional()
    .describe('Return the first N lines (from offset when given)'),
  offset: intSchema('offset', 0, Number.MAX_SAFE_INTEGER)
    .optional()
    .describe('Absolute byte offset to read from (next_offset of an earlier read continues it)'),
  max_bytes: intSchema('max_bytes', 1, MAX_READ_BYTES)
    .optional()
    .describe(`Most bytes to return (default ${FOREGROUND_RESULT_BYTES})`),
  grep: patternSchema('grep')
    .optional()
    .describe('Only lines matching this regular expression, e.g. "error|warn" or "/timeout/i", with context'),
  context_lines: intSchema('context_lines', 0, 50)
    .optional()
    .describe(`With grep: lines shown before and after each match (default ${DEFAULT_CONTEXT_LINES})`),
  max_matches: intSchema('max_matches', 1, 1000)
    .optional()
    .describe(`With grep: stop after this many matching lines (default ${DEFAULT_MAX_MATCHES})`),
  raw: z
    .boolean({ error: 'raw must be true or false' })
    .optional()
    .describe('Bytes as written, with ANSI escapes and \\r redraws (default false: cleaned for reading)'),
  all_sessions: allSessionsSchema,
})

type Args = z.output<typeof inputSchema>

export const bashOutputTool = defineTool({
  name: 'bash_output',
  title: 'Read a task’s output',
  description:
    "Read a task's output (stdout and stderr together, in the order written). With only task_id you get " +
    'what is new since your last read of that task (the first read starts at the beginning). Or pick a ' +
    'window: tail_lines, head_lines, offset + max_bytes; or search with grep (regex, with context_lines). ' +
    'Output is cleaned of ANSI escapes unless raw: true. To wait until the output shows something ' +
    '(e.g. "listening on"), use bash_wait with until — do not call this in a loop.',
  inputSchema,
  outputShape: {
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
    if (args.grep !== undefined) return grep(args, ctx)
    const maxBytes = args.max_bytes ?? FOREGROUND_RESULT_BYTES
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
      text: describeRead(args.task_id, mode, read, text),
      structured: {
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
      `Invalid bash_output parameters: ${conflict} cannot be combined. Pick one way to read: new (no options), tail_lines, head_lines, offset/max_bytes, or grep.`,
    )
  }
  if ((args.context_lines !== undefined || args.max_matches !== undefined) && args.grep === undefined) {
    throw new BgbashError(
      'invalid_request',
      'Invalid bash_output parameters: context_lines and max_matches only apply with grep.',
    )
  }
}

function describeRead(taskId: string, mode: string, read: ReadResult, text: string): string {
  const range = `bytes ${read.offset}–${read.nextOffset} of ${read.totalBytes}`
  const lines: string[] = []
  if (mode === 'new' && read.nextOffset === read.offset) {
    lines.push(
      `No new output from ${taskId} since your last read (${read.status}, ${read.totalBytes} bytes in all).` +
        (read.status === 'running'
          ? ' To wait for more, call bash_wait (with until: a pattern, or for exit).'
          : ''),
    )
    return lines.join('\n')
  }
  const what = mode === 'new' ? 'new since your last read' : mode
  lines.push(`${taskId} (${read.status}) output, ${what}, ${range}:`)
  lines.push(text)
  if (read.droppedBytes > 0) lines.push(`(${read.droppedBytes} bytes were dropped by the disk cap)`)
  if (!read.eof && mode !== 'tail') {
    lines.push(
      `(${read.totalBytes - read.nextOffset} more bytes: call bash_output with offset=${read.nextOffset} to continue, or tail_lines for the end)`,
    )
  }
  return lines.join('\n')
}

async function grep(args: Args, ctx: ToolContext): Promise<ToolReply> {
  const pattern = compilePattern('grep', args.grep!)
  const result = await ctx.tm.read(args.task_id, {
    offset: args.offset,
    grep: pattern,
    contextLines: args.context_lines ?? DEFAULT_CONTEXT_LINES,
    maxMatches: args.max_matches ?? DEFAULT_MAX_MATCHES,
    maxBytes: args.max_bytes ?? FOREGROUND_RESULT_BYTES,
    raw: args.raw === true,
  })
  const matches = result.matches ?? []
  const status = { status: result.status }
  const header =
    matches.length === 0
      ? `No line of ${args.task_id} (${status.status}) output matches ${pattern}.`
      : `${matches.length} line${matches.length === 1 ? '' : 's'} of ${args.task_id} (${status.status}) output match ${pattern} (N: match, N- context):`
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
