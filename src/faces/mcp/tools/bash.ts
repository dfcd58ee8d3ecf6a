import * as z from 'zod'
import {
  BgbashError,
  isTerminal,
  type ReadyResult,
  type SpawnedTask,
  type TaskRecord,
} from '../../../index.js'
import { type Readiness, readinessToWire, readReadiness } from '../../readiness.js'
import { describeOutcome, formatDuration } from '../format.js'
import { DEFAULT_WAIT_MS, intSchema, MAX_WAIT_MS, patternSchema, waitSchema } from '../params.js'
import { startProgress } from '../progress.js'
import { defineTool, type ToolContext, type ToolReply } from '../tool.js'
import { cleanText, FOREGROUND_RESULT_BYTES, readOutputView, type TaskOutputView } from '../view.js'
import { orNull } from '../wire.js'

/** Longest deadline a task may have: 7 days (SPEC §4). */
const MAX_TIMEOUT_MS = 7 * 24 * 3600 * 1000

const inputSchema = z.strictObject({
  command: z
    .string({ error: 'command must be a string: the shell command to run' })
    .min(1, { error: 'command must not be empty' })
    .describe('Shell command, run by bash'),
  cwd: z
    .string({ error: 'cwd must be a string path' })
    .optional()
    .describe('Working directory; default: the project'),
  env: z
    .record(z.string(), z.string(), { error: 'env must be an object of string values, e.g. {"CI": "1"}' })
    .optional()
    .describe('Extra environment variables'),
  timeout_ms: intSchema('timeout_ms', 0, MAX_TIMEOUT_MS)
    .optional()
    .describe('Kill it after ms (default 30 min, max 7 days, 0 = never)'),
  description: z
    .string({ error: 'description must be a string' })
    .max(500, { error: 'description must be at most 500 characters' })
    .optional()
    .describe('Its purpose, ≤ 500 chars'),
  stdin: z
    .boolean({ error: 'stdin must be true or false' })
    .optional()
    .describe('Keep stdin open for bash_write'),
  wait_ms: waitSchema('wait_ms', 0)
    .optional()
    .describe(`Foreground wait in ms (default ${DEFAULT_WAIT_MS}, max ${MAX_WAIT_MS})`),
  background: z
    .boolean({ error: 'background must be true or false' })
    .optional()
    .describe('Return at once with the task id'),
  ready_when: z
    .string({ error: 'ready_when must be a string: port:3000, a URL, or a regex of a ready line' })
    .min(1, { error: 'ready_when must not be empty' })
    .optional()
    .describe('Return once ready: "port:3000", a URL, or a regex of a ready line'),
  fail_on: patternSchema('fail_on').optional().describe('With ready_when: regex of a failure line'),
  ready_timeout_ms: waitSchema('ready_timeout_ms', 1)
    .optional()
    .describe(`With ready_when: longest wait in ms (default 60000, max ${MAX_WAIT_MS})`),
})

type Args = z.output<typeof inputSchema>

export const bashTool = defineTool({
  name: 'bash',
  title: 'Run a shell command',
  description:
    'Run a shell command; returns its exit code and output. Still running after wait_ms, it goes on ' +
    "in the background as a task. background: true returns at once (servers, watchers). A task's end " +
    'is reported on a later bgbash result; bash_wait waits for it.',
  inputSchema,
  outputShape: {
    task_id: z.string(),
    status: z.string().describe('running when it went to the background, else how it ended'),
    exit_code: orNull(z.number()),
    end_reason: orNull(z.string()),
    duration_ms: orNull(z.number()),
    pid: orNull(z.number()),
    background: z.boolean().describe('true when the task is still running in the background'),
    output: z.string().describe('Model view of the output: ANSI stripped, head and tail within 16 KiB'),
    output_truncated: z.boolean(),
    output_bytes: z.number(),
    ready: z
      .object({
        reason: z.enum(['ready', 'exit', 'fail_match', 'timeout']),
        waited_ms: z.number(),
        line: z.string().optional().describe('The line that made it ready, or the failure line'),
        detail: z.string().optional(),
      })
      .optional()
      .describe('With ready_when: how the wait for readiness ended'),
  },
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
  async run(args, ctx) {
    const readiness = readinessOf(args)
    const record = await ctx.tm.spawn({
      command: args.command,
      cwd: args.cwd,
      env: args.env,
      timeoutMs: args.timeout_ms,
      description: args.description,
      stdin: args.stdin,
      notify: true,
      ...readiness,
    })
    if (record.ready) return startedWithReadiness(ctx, record, record.ready)
    if (args.background) {
      return {
        text:
          `Started ${record.taskId} in the background (pid ${record.pid}). Its end will be reported on a ` +
          'later bgbash result; bash_wait waits for it or for a line of its output.',
        structured: summarize(record, true, undefined),
      }
    }
    const waitMs = args.wait_ms ?? DEFAULT_WAIT_MS
    const stop = startProgress(
      ctx.request,
      waitMs,
      (elapsed) => `${record.taskId} running for ${formatDuration(elapsed)}`,
      ctx.logger,
    )
    let latest: TaskRecord
    try {
      const result = await ctx.tm.waitFor([record.taskId], {
        until: 'exit',
        timeoutMs: waitMs,
        signal: ctx.request.mcpReq.signal,
      })
      latest = result.records[0] ?? record
    } finally {
      stop()
    }
    return isTerminal(latest.status) ? finished(ctx, latest) : movedToBackground(ctx, latest, waitMs)
  },
})

async function finished(ctx: ToolContext, record: TaskRecord): Promise<ToolReply> {
  const structured = summarize(record, false, await readView(ctx, record.taskId))
  const header = `${capitalize(describeOutcome(record))} after ${formatDuration(record.durationMs)} (task ${record.taskId})`
  const output = structured.output === '' ? '(no output)' : structured.output
  return {
    text: `${header}\n${output}`,
    structured,
    // This result tells how the task ended: its completion is not repeated on a later result,
    // and the task, seen whole already, is kept an hour and left out of bash_list.
    reportedTaskIds: [record.taskId],
    isAnsweredInline: true,
  }
}

async function movedToBackground(ctx: ToolContext, record: TaskRecord, waitMs: number): Promise<ToolReply> {
  const structured = summarize(record, true, await readView(ctx, record.taskId))
  return {
    text:
      `Still running after ${formatDuration(waitMs)}, so it keeps running in the background as task ` +
      `${record.taskId} (pid ${record.pid}). Output so far:\n${structured.output === '' ? '(none yet)' : structured.output}\n` +
      `Call bash_wait with task_ids ["${record.taskId}"] to wait for it to end (or until: a pattern in its output); ` +
      'its completion will also be reported on a later tool result.',
    structured,
  }
}

/** The foreground view of a task's output; what it shows counts as read for bash_output. */
async function readView(ctx: ToolContext, taskId: string): Promise<TaskOutputView> {
  const view = await readOutputView(ctx.tm, taskId, FOREGROUND_RESULT_BYTES)
  await ctx.tm.advanceCursor(taskId, view.endOffset)
  return view
}

function summarize(record: TaskRecord, isBackground: boolean, view: TaskOutputView | undefined) {
  return {
    task_id: record.taskId,
    status: record.status,
    exit_code: record.exitCode,
    end_reason: record.endReason,
    duration_ms: record.durationMs,
    pid: record.pid,
    background: isBackground,
    output: view?.text ?? '',
    output_truncated: view?.truncated ?? false,
    output_bytes: view?.totalBytes ?? record.outputBytes,
  }
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}

/** The engine's readiness options from `ready_when`, `fail_on`, `ready_timeout_ms`. */
function readinessOf(args: Args): Readiness {
  const readiness = readReadiness(args)
  if (readiness.readyWhen && (args.background !== undefined || args.wait_ms !== undefined)) {
    throw new BgbashError(
      'invalid_request',
      'Invalid bash parameters: ready_when already returns once the task is ready; drop background and wait_ms.',
    )
  }
  return readiness
}

/** The result of a start with `ready_when`: ready, or why not, with the output so far. */
async function startedWithReadiness(
  ctx: ToolContext,
  record: SpawnedTask,
  ready: ReadyResult,
): Promise<ToolReply> {
  if (isTerminal(record.status)) return finished(ctx, record)
  const structured = {
    ...summarize(record, true, await readView(ctx, record.taskId)),
    ready: readinessToWire(ready),
  }
  const after = formatDuration(ready.waitedMs)
  const why = describeReady(ready, structured.output)
  const head =
    ready.reason === 'ready'
      ? `Ready after ${after}${why ? ` (${why})` : ''}: ${record.taskId} (pid ${record.pid}) keeps running in the background.`
      : ready.reason === 'fail_match'
        ? `Its output shows a failure after ${after}: ${ready.match?.line}\n${record.taskId} (pid ${record.pid}) is still running: read it with bash_output, stop it with bash_kill.`
        : `Not ready after ${after}: ${record.taskId} (pid ${record.pid}) is still running in the background; call bash_wait with until to wait longer, or bash_kill.`
  const output = structured.output === '' ? '(no output yet)' : structured.output
  return { text: `${head}\nOutput so far:\n${output}`, structured }
}

/** What made a task ready: the check, or the line it printed unless the output shown has it. */
function describeReady(ready: ReadyResult, output: string): string | undefined {
  if (ready.detail) return ready.detail
  const line = cleanText(ready.match?.line ?? '')
  return output.split('\n').includes(line) ? undefined : `output: ${line}`
}
