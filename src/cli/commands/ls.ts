import { type TaskManager, type TaskRecord, TaskStatus } from '../../index.js'
import { type CliContext, withManager } from '../context.js'
import { writeLine } from '../io.js'
import { formatJson } from '../json.js'
import { renderTaskTable } from '../table.js'
import { clearTreeUsage, readTreeUsage, type TreeUsage } from '../tree-usage.js'
import { UsageError } from '../usage-error.js'

/** Redraw interval of `ls --watch`: ages and CPU change even when no task ends. */
const WATCH_REFRESH_MS = 1000

export interface LsOptions {
  all?: boolean
  /** Only the tasks of this CLI's owner (the person, or `--session`). */
  mine?: boolean
  status?: string
  watch?: boolean
}

/**
 * `bgbash ls`: the project's tasks as a table (or JSON): the person's and every agent's, or with
 * `--mine` (or a `--session`) only that owner's; `--watch` keeps it live until Ctrl-C. Only reads.
 */
export async function runLs(ctx: CliContext, options: LsOptions): Promise<number> {
  const statuses = parseStatuses(options.status)
  return withManager(
    ctx,
    async (tm) => {
      try {
        if (!options.watch) {
          ctx.io.stdout.write((await renderOnce(ctx, tm, options, statuses)).text)
          return 0
        }
        await watchTable(ctx, tm, options, statuses)
        return 0
      } finally {
        clearTreeUsage()
      }
    },
    { readOnly: true },
  )
}

async function renderOnce(
  ctx: CliContext,
  tm: TaskManager,
  options: LsOptions,
  statuses: TaskStatus[] | undefined,
): Promise<{ text: string; records: TaskRecord[] }> {
  const scope = options.all ? 'all' : options.mine || ctx.hasExplicitSession ? 'mine' : 'project'
  const records = await tm.list({ scope, status: statuses })
  const running = records.filter((record) => record.status === 'running' || record.status === 'killing')
  const usage = await readTreeUsage(
    tm,
    running.map((record) => record.taskId),
  )
  if (ctx.json)
    return { text: formatJson(records.map((record) => withUsage(record, usage.get(record.taskId)))), records }
  const text = renderTaskTable(records, usage, {
    color: ctx.color,
    columns: ctx.isTty ? ctx.columns : undefined,
    showSession: options.all === true,
    now: Date.now(),
  })
  return { text, records }
}

function withUsage(record: TaskRecord, usage: TreeUsage | undefined): TaskRecord & { usage?: TreeUsage } {
  return usage ? { ...record, usage } : record
}

/**
 * On a terminal: clears and redraws every second and at once when a task ends. Elsewhere (a pipe,
 * a file): prints the table again only when a task appeared, ended or changed status.
 */
async function watchTable(
  ctx: CliContext,
  tm: TaskManager,
  options: LsOptions,
  statuses: TaskStatus[] | undefined,
): Promise<void> {
  const signal = ctx.io.signal
  let lastShape: string | undefined
  while (!signal?.aborted) {
    const { text: table, records } = await renderOnce(ctx, tm, options, statuses)
    if (ctx.isTty) {
      const footer = ctx.color.dim(
        `${new Date().toLocaleTimeString()} · refreshes every second · Ctrl-C to quit`,
      )
      ctx.io.stdout.write(`\x1b[H\x1b[2J${table}${footer}\n`)
    } else {
      const shape = records.map((record) => `${record.taskId}:${record.status}`).join(' ')
      if (shape !== lastShape) {
        if (!ctx.json && lastShape !== undefined) writeLine(ctx.io.stdout, `--- ${new Date().toISOString()}`)
        ctx.io.stdout.write(ctx.json ? `${JSON.stringify(JSON.parse(table))}\n` : table)
        lastShape = shape
      }
    }
    await waitForChange(tm, WATCH_REFRESH_MS, signal)
  }
}

/** Resolves after `ms`, when a watched task ends, or on Ctrl-C — whichever comes first. */
function waitForChange(tm: TaskManager, ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer)
      tm.off('task_ended', done)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    tm.on('task_ended', done)
    signal?.addEventListener('abort', done, { once: true })
  })
}

const KNOWN_STATUSES = new Set<string>(Object.values(TaskStatus))

/** `--status failed,timed_out` → the statuses; an unknown one is a usage error. */
function parseStatuses(text: string | undefined): TaskStatus[] | undefined {
  if (text === undefined) return undefined
  const statuses = text.split(',').map((part) => part.trim())
  for (const status of statuses) {
    if (!KNOWN_STATUSES.has(status)) {
      throw new UsageError(
        `Invalid --status: ${JSON.stringify(status)}. Use one of ${[...KNOWN_STATUSES].join(', ')}.`,
      )
    }
  }
  return statuses as TaskStatus[]
}
