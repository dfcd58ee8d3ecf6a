import type { TaskRecord } from '../../index.js'
import { type CliContext, resolveTaskIds, withManager } from '../context.js'
import { formatBytes, formatDuration } from '../duration.js'
import { writeLine } from '../io.js'
import { formatJson } from '../json.js'
import { colorStatus, formatProcess } from '../table.js'

/** `bgbash show <id>`: the whole record, its live or leftover processes, and where its log is. */
export async function runShow(ctx: CliContext, input: string, options: { all?: boolean }): Promise<number> {
  return withManager(
    ctx,
    async (tm) => {
      const [taskId] = await resolveTaskIds(tm, [input], options.all === true)
      const record = await tm.status(taskId as string, { allSessions: true })
      const logPath = record.outputPath
      const processes = await tm.planKill(record.taskId, { allSessions: true })
      if (ctx.json) {
        ctx.io.stdout.write(formatJson({ ...record, logPath, processes }))
        return 0
      }
      const { color } = ctx
      const rows: Array<[string, string]> = [
        ['task', color.bold(record.taskId)],
        [
          'status',
          colorStatus(record.status, color) +
            (record.statusReason ? color.dim(`  (${record.statusReason})`) : ''),
        ],
        ['exit code', record.exitCode === null ? '-' : String(record.exitCode)],
        ['end reason', record.endReason ?? '-'],
        ...optional('signal', record.signal),
        ...optional('killed by', record.killedBy),
        ['command', record.command],
        ...optional('description', record.description),
        ['cwd', record.cwd],
        ['shell', record.shell],
        ['session', record.sessionId],
        ['pid', record.pid === null ? '-' : String(record.pid)],
        ['created', formatTimestamp(record.createdAt)],
        ['started', record.startedAt === null ? '-' : formatTimestamp(record.startedAt)],
        ['finished', record.finishedAt === null ? '-' : formatTimestamp(record.finishedAt)],
        ['duration', formatRunTime(record)],
        ['timeout', record.timeoutMs === 0 ? 'none' : formatDuration(record.timeoutMs)],
        [
          'output',
          `${formatBytes(record.outputBytes)}${record.droppedBytes > 0 ? ` (${formatBytes(record.droppedBytes)} dropped by the disk cap)` : ''}`,
        ],
        ['log', logPath],
        ['notify', record.notify ? (record.delivered ? 'yes, delivered' : 'yes, owed') : 'no'],
      ]
      const width = Math.max(...rows.map(([key]) => key.length))
      for (const [key, value] of rows) writeLine(ctx.io.stdout, `${color.dim(key.padEnd(width))}  ${value}`)
      printProcesses(ctx, 'processes', processes, record)
      printProcesses(ctx, 'leftover processes', record.leftoverProcesses ?? [], record)
      return 0
    },
    { readOnly: true },
  )
}

function optional(key: string, value: string | undefined): Array<[string, string]> {
  return value === undefined ? [] : [[key, value]]
}

function printProcesses(
  ctx: CliContext,
  title: string,
  processes: Array<{ pid: number; command: string }>,
  _record: TaskRecord,
): void {
  if (processes.length === 0) return
  writeLine(ctx.io.stdout, ctx.color.dim(`${title}:`))
  const columns = ctx.isTty ? ctx.columns : undefined
  for (const proc of processes) writeLine(ctx.io.stdout, formatProcess(proc, columns))
}

function formatTimestamp(ms: number): string {
  return new Date(ms).toISOString()
}

function formatRunTime(record: TaskRecord): string {
  if (record.durationMs !== null) return formatDuration(record.durationMs)
  if (record.startedAt !== null) return `${formatDuration(Date.now() - record.startedAt)} so far`
  return '-'
}
