import type { TaskManager } from '../../index.js'
import { type CliContext, resolveTaskIds, withManager } from '../context.js'
import { getTaskExitCode, INTERRUPTED_EXIT_CODE } from '../exit-code.js'
import { AnsiStripper, followLog, reportGaps } from '../follow.js'
import { writeLine } from '../io.js'
import { formatJson, toSnakeCase } from '../json.js'
import { UsageError } from '../usage-error.js'

/** Bytes read per step while printing a log: a log of any size is printed in bounded steps. */
const READ_CHUNK_BYTES = 256 * 1024

export interface LogsOptions {
  follow?: boolean
  lines?: string
  grep?: string
  raw?: boolean
  all?: boolean
}

/**
 * `bgbash logs <id>`: the task's output (ANSI stripped unless --raw), the last N lines with -n,
 * only the lines matching --grep; -f then follows it to the task's end and exits with its code.
 */
export async function runLogs(ctx: CliContext, input: string, options: LogsOptions): Promise<number> {
  const tailLines = options.lines === undefined ? undefined : parseLineCount(options.lines)
  const grep = options.grep === undefined ? undefined : parseRegex(options.grep, '--grep')
  return withManager(
    ctx,
    async (tm) => {
      const [resolved] = await resolveTaskIds(tm, [input], options.all === true)
      const taskId = resolved as string
      const stripper = new AnsiStripper()
      const clean = (text: string) => (options.raw ? text : stripper.push(text))
      const collected: string[] = []
      // Where the text goes: stdout, one JSON document at the end, or NDJSON events with -f.
      const emit = (text: string) => {
        if (text === '') return
        if (!ctx.json) ctx.io.stdout.write(text)
        else if (options.follow)
          ctx.io.stdout.write(`${JSON.stringify({ event: 'output', task_id: taskId, text })}\n`)
        else collected.push(text)
      }
      const onGap = (from: number, to: number) => {
        if (ctx.json && options.follow) {
          ctx.io.stdout.write(
            `${JSON.stringify({ event: 'dropped', task_id: taskId, from_offset: from, to_offset: to })}\n`,
          )
        } else if (!ctx.json) {
          writeLine(ctx.io.stderr, ctx.color.yellow(`bgbash: … ${to - from} bytes dropped by the disk cap …`))
        }
      }
      const filter = grep ? new LineFilter(grep, (line) => emit(`${line}\n`)) : undefined
      const pass = (text: string) => (filter ? filter.push(text) : emit(text))

      // What is there now.
      let offset: number
      if (filter) {
        const lines: string[] = []
        const scan = new LineFilter(grep as RegExp, (line) => {
          lines.push(line)
          if (tailLines !== undefined && lines.length > tailLines) lines.shift()
        })
        offset = await forEachChunk(tm, taskId, 0, (text) => scan.push(clean(text)), onGap)
        // An unfinished last line stays pending: following completes it, otherwise it is tested as is.
        filter.pending = scan.pending
        for (const line of lines) emit(`${line}\n`)
      } else {
        const start =
          tailLines === undefined ? 0 : (await tm.read(taskId, { tailLines, allSessions: true })).offset
        offset = await forEachChunk(tm, taskId, start, (text) => emit(clean(text)), onGap)
      }

      if (!options.follow) {
        pass(options.raw ? '' : stripper.flush())
        filter?.end()
        if (ctx.json) {
          const record = await tm.status(taskId, { allSessions: true })
          ctx.io.stdout.write(formatJson({ taskId, status: record.status, text: collected.join('') }))
        }
        return 0
      }

      const ended = await followLog(
        tm,
        taskId,
        offset,
        {
          onText: (window) => pass(clean(window.text)),
          onGap,
        },
        ctx.io.signal,
      )
      pass(options.raw ? '' : stripper.flush())
      filter?.end()
      if (!ended) return INTERRUPTED_EXIT_CODE
      if (ctx.json) ctx.io.stdout.write(`${JSON.stringify({ event: 'end', task: toSnakeCase(ended) })}\n`)
      return getTaskExitCode(ended)
    },
    { readOnly: true },
  )
}

/** Reads from `start` to the current end in bounded steps; returns where it stopped. */
async function forEachChunk(
  tm: TaskManager,
  taskId: string,
  start: number,
  onText: (text: string) => void,
  onGap: (fromOffset: number, toOffset: number) => void,
): Promise<number> {
  let offset = start
  for (;;) {
    const window = await tm.read(taskId, { offset, maxBytes: READ_CHUNK_BYTES, allSessions: true })
    reportGaps(offset, window, onGap, () => onText(window.text))
    offset = window.nextOffset
    if (window.eof || window.text === '') return offset
  }
}

/** Splits a text stream into lines and passes on the ones a pattern matches. */
class LineFilter {
  pending = ''
  private readonly pattern: RegExp
  private readonly onLine: (line: string) => void

  constructor(pattern: RegExp, onLine: (line: string) => void) {
    this.pattern = pattern
    this.onLine = onLine
  }

  push(text: string): void {
    const lines = (this.pending + text).split('\n')
    this.pending = lines.pop() ?? ''
    for (const line of lines) if (this.pattern.test(line)) this.onLine(line)
  }

  end(): void {
    if (this.pending !== '' && this.pattern.test(this.pending)) this.onLine(this.pending)
    this.pending = ''
  }
}

function parseLineCount(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1) {
    throw new UsageError(`Invalid -n: ${JSON.stringify(text)}. Use a number of lines ≥ 1.`)
  }
  return Number(text)
}

/** A regex typed by a person; a broken one is a usage error with the engine's reason. */
export function parseRegex(source: string, option: string): RegExp {
  try {
    return new RegExp(source)
  } catch (error) {
    throw new UsageError(`Invalid ${option}: ${(error as Error).message}.`)
  }
}
