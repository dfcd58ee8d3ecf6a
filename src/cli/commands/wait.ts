import yoctoSpinner from 'yocto-spinner'
import { type TaskManager, type TaskRecord, TIMEOUT_EXIT_CODE, type WaitForResult } from '../../index.js'
import { type CliContext, resolveTaskIds, withManager } from '../context.js'
import { formatDuration, parseDuration } from '../duration.js'
import { getCombinedExitCode, getTaskExitCode, INTERRUPTED_EXIT_CODE } from '../exit-code.js'
import { markWatched } from '../follow.js'
import { writeLine } from '../io.js'
import { formatJson } from '../json.js'
import { colorStatus } from '../table.js'
import { parseRegex } from './logs.js'

/** "No timeout": the longest a Node timer can wait (about 24 days). */
const FOREVER_MS = 2_147_483_647

/** How often the spinner's text (elapsed time, statuses) is refreshed. */
const SPINNER_TEXT_MS = 100

export interface WaitCommandOptions {
  until?: string
  failOn?: string
  timeout?: string
  all?: boolean
}

/**
 * `bgbash wait <id…>`: until every task ended (or, with --until, a line matches), with a spinner
 * on a terminal. Exit code: the task's (the first failing one's), 124 when the wait timed out,
 * with --until 0 when the pattern appeared and 1 when --fail-on did.
 */
export async function runWait(
  ctx: CliContext,
  inputs: string[],
  options: WaitCommandOptions,
): Promise<number> {
  const timeoutMs = options.timeout === undefined ? FOREVER_MS : parseDuration(options.timeout, '--timeout')
  const until = options.until === undefined ? undefined : parseRegex(options.until, '--until')
  const failOn = options.failOn === undefined ? undefined : parseRegex(options.failOn, '--fail-on')
  return withManager(
    ctx,
    async (tm) => {
      const taskIds = await resolveTaskIds(tm, inputs, options.all === true)
      const stopSpinner = startSpinner(ctx, tm, taskIds, until)
      let result: WaitForResult
      try {
        result = await tm.waitFor(taskIds, {
          until: until ?? 'exit',
          failOn,
          timeoutMs,
          allSessions: true,
          signal: ctx.io.signal,
        })
      } finally {
        stopSpinner()
      }
      if (ctx.io.signal?.aborted) return INTERRUPTED_EXIT_CODE
      for (const record of result.records) await markWatched(tm, record)
      printResult(ctx, result)
      return getWaitExitCode(result, until !== undefined)
    },
    { readOnly: true },
  )
}

function getWaitExitCode(result: WaitForResult, hasPattern: boolean): number {
  switch (result.reason) {
    case 'timeout':
      return TIMEOUT_EXIT_CODE
    case 'match':
      return 0
    case 'fail_match':
      return 1
    default: {
      if (!hasPattern) return getCombinedExitCode(result.records)
      // The task ended without ever printing what was awaited: that is not success.
      const ended = result.records.find((record) => record.taskId === result.taskId) ?? result.records[0]
      return ended ? getTaskExitCode(ended) || 1 : 1
    }
  }
}

function printResult(ctx: CliContext, result: WaitForResult): void {
  if (ctx.json) {
    ctx.io.stdout.write(formatJson(result))
    return
  }
  const { color } = ctx
  if (result.reason === 'timeout')
    writeLine(ctx.io.stderr, color.yellow(`bgbash: wait timed out after ${formatDuration(result.waitedMs)}`))
  if (result.match) {
    const label = result.reason === 'match' ? color.green('matched') : color.red('failure pattern')
    writeLine(ctx.io.stdout, `${result.taskId}  ${label}: ${result.match.line}`)
  }
  for (const record of result.records) writeLine(ctx.io.stdout, formatRecordLine(ctx, record))
}

function formatRecordLine(ctx: CliContext, record: TaskRecord): string {
  const code = record.exitCode === null ? '' : ` exit ${record.exitCode}`
  const time = record.durationMs === null ? '' : ctx.color.dim(` after ${formatDuration(record.durationMs)}`)
  return `${record.taskId}  ${colorStatus(record.status, ctx.color)}${code}${time}  ${ctx.color.dim(record.command.split('\n')[0] ?? '')}`
}

/** On a terminal, a spinner on stderr with the elapsed time and how many tasks are still running. */
function startSpinner(
  ctx: CliContext,
  tm: TaskManager,
  taskIds: string[],
  until: RegExp | undefined,
): () => void {
  if (!ctx.isTty || ctx.io.stderr.isTTY !== true) return () => {}
  const started = Date.now()
  const ended = new Set<string>()
  const onEnded = (record: TaskRecord) => {
    if (taskIds.includes(record.taskId)) ended.add(record.taskId)
  }
  tm.on('task_ended', onEnded)
  const what = until ? `for /${until.source}/ in ${taskIds.join(', ')}` : `for ${taskIds.join(', ')}`
  const describe = () =>
    `waiting ${what}  ${ctx.color.dim(`${formatDuration(Date.now() - started)}${taskIds.length > 1 ? ` · ${ended.size}/${taskIds.length} ended` : ''}`)}`
  const spinner = yoctoSpinner({
    text: describe(),
    stream: ctx.io.stderr as NodeJS.WriteStream,
    handleSignals: false,
  }).start()
  const timer = setInterval(() => {
    spinner.text = describe()
  }, SPINNER_TEXT_MS)
  return () => {
    clearInterval(timer)
    tm.off('task_ended', onEnded)
    spinner.stop()
  }
}
