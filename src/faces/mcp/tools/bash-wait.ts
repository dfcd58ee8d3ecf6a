import * as z from 'zod'
import {
  BgbashError,
  isTerminal,
  type TaskManager,
  type TaskRecord,
  type WaitForResult,
} from '../../../index.js'
import { describeTask, formatDuration } from '../format.js'
import {
  compilePattern,
  DEFAULT_WAIT_MS,
  MAX_WAIT_MS,
  patternSchema,
  taskIdSchema,
  waitSchema,
} from '../params.js'
import { startProgress } from '../progress.js'
import { defineTool } from '../tool.js'
import { cleanText } from '../view.js'
import { recordToWire, taskRecordSchema } from '../wire.js'

/** Most tasks one wait watches. */
const MAX_WAIT_TASKS = 64

export const bashWaitTool = defineTool({
  name: 'bash_wait',
  title: 'Wait for background tasks',
  description:
    'Wait until tasks end, or until a line of their output matches until; returns the moment it ' +
    'happens. After timeout_ms it returns anyway and the tasks keep running. Use this, never a polling loop.',
  inputSchema: z.strictObject({
    task_ids: z
      .array(taskIdSchema, { error: 'task_ids must be a list of task ids, e.g. ["bgb-1a2b3c4d"]' })
      .min(1, {
        error: 'task_ids must name at least one task (or leave it out to wait for all running ones)',
      })
      .max(MAX_WAIT_TASKS, { error: `task_ids may name at most ${MAX_WAIT_TASKS} tasks` })
      .optional()
      .describe(`Default: your running tasks (≤ ${MAX_WAIT_TASKS})`),
    until: patternSchema('until').optional().describe('Regex of a line to wait for (default: the end)'),
    fail_on: patternSchema('fail_on').optional().describe('Regex of a failure line that ends the wait'),
    mode: z
      .enum(['any', 'all'], { error: 'mode must be "any" or "all"' })
      .optional()
      .describe('Any (default) or all tasks ended'),
    new_output_only: z
      .boolean({ error: 'new_output_only must be true or false' })
      .optional()
      .describe('With until: skip output already written'),
    timeout_ms: waitSchema('timeout_ms', 1)
      .optional()
      .describe(`Default ${DEFAULT_WAIT_MS}, max ${MAX_WAIT_MS}`),
  }),
  outputShape: {
    reason: z
      .enum(['match', 'fail_match', 'exit', 'timeout', 'nothing_to_wait_for'])
      .describe('Why the wait returned'),
    task_id: z.string().optional().describe('The task that matched or ended first'),
    match: z
      .object({ text: z.string(), line: z.string(), offset: z.number(), context: z.string() })
      .optional(),
    tasks: z.array(taskRecordSchema).describe('Every waited-for task as it is now'),
    waited_ms: z.number(),
  },
  annotations: { readOnlyHint: true, idempotentHint: false, openWorldHint: false },
  async run(args, ctx) {
    const until = args.until === undefined ? undefined : compilePattern('until', args.until)
    const failOn = args.fail_on === undefined ? undefined : compilePattern('fail_on', args.fail_on)
    const ids = args.task_ids ?? (await listActive(ctx.tm)).map((record) => record.taskId)
    if (ids.length === 0) {
      return {
        text: 'No running tasks in this session: nothing to wait for. Start one with bash (background: true).',
        structured: { reason: 'nothing_to_wait_for', tasks: [], waited_ms: 0 },
      }
    }
    let fromOffset: number | undefined
    if (args.new_output_only) {
      if (ids.length !== 1 || (until === undefined && failOn === undefined)) {
        throw new BgbashError(
          'invalid_request',
          'Invalid bash_wait parameters: new_output_only needs exactly one task id and an until or fail_on pattern.',
        )
      }
      fromOffset = (await ctx.tm.status(ids[0]!)).outputBytes
    }
    const timeoutMs = args.timeout_ms ?? DEFAULT_WAIT_MS
    const stop = startProgress(
      ctx.request,
      timeoutMs,
      (elapsed) => `waiting ${formatDuration(elapsed)} for ${ids.join(', ')}`,
      ctx.logger,
    )
    let result: WaitForResult
    try {
      result = await ctx.tm.waitFor(ids, {
        until: until ?? 'exit',
        failOn,
        timeoutMs,
        any: args.mode !== 'all',
        fromOffset,
        signal: ctx.request.mcpReq.signal,
      })
    } finally {
      stop()
    }
    const match = result.match && { ...result.match, context: cleanText(result.match.context) }
    return {
      text: describeWait(result, until, failOn, match?.context),
      taskLines: result.records.map((record) => ({ taskId: record.taskId, line: describeTask(record) })),
      structured: {
        reason: result.reason,
        ...(result.taskId === undefined ? {} : { task_id: result.taskId }),
        ...(match === undefined
          ? {}
          : {
              match: {
                text: match.text,
                line: cleanText(match.line),
                offset: match.offset,
                context: match.context,
              },
            }),
        tasks: result.records.map(recordToWire),
        waited_ms: result.waitedMs,
      },
    }
  },
})

async function listActive(tm: TaskManager): Promise<TaskRecord[]> {
  return tm.list({ status: ['starting', 'running', 'killing'] })
}

function describeWait(
  result: WaitForResult,
  until: RegExp | undefined,
  failOn: RegExp | undefined,
  context: string | undefined,
): string {
  const lines: string[] = []
  const waited = formatDuration(result.waitedMs)
  switch (result.reason) {
    case 'match':
      lines.push(
        `${until} appeared in the output of ${result.taskId} after ${waited}, at offset ${result.match?.offset}:`,
      )
      lines.push(context ?? '')
      break
    case 'fail_match':
      lines.push(
        `Failure pattern ${failOn} appeared in the output of ${result.taskId} after ${waited}, at offset ${result.match?.offset}:`,
      )
      lines.push(context ?? '')
      break
    case 'exit': {
      const ended = result.records.filter((record) => isTerminal(record.status))
      lines.push(
        until
          ? `Waited ${waited}: the tasks ended without ${until} appearing.`
          : `Waited ${waited}: ${ended.length === result.records.length ? (ended.length === 1 ? 'the task' : 'all tasks') : `${ended.length} of ${result.records.length} tasks`} ended.`,
      )
      break
    }
    case 'timeout':
      lines.push(
        `Waited ${waited}: ${until ? `${until} did not appear` : 'no task ended'} yet. The tasks keep running; call bash_wait again to keep waiting, or bash_kill to stop them.`,
      )
      break
  }
  return lines.join('\n')
}
