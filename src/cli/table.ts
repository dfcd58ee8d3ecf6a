import { stripAnsi, type TaskRecord, type TaskStatus } from '../index.js'
import type { Colors } from './context.js'
import { formatBytes, formatDuration } from './duration.js'
import type { TreeUsage } from './tree-usage.js'

export interface TableOptions {
  color: Colors
  /** Cut the command to fit this many columns; unset: never cut (output is not a terminal). */
  columns?: number
  showSession: boolean
  now: number
}

export function colorStatus(status: TaskStatus, color: Colors): string {
  switch (status) {
    case 'completed':
      return color.green(status)
    case 'failed':
      return color.red(status)
    case 'timed_out':
      return color.yellow(status)
    case 'killed':
      return color.magenta(status)
    case 'lost':
      return color.gray(status)
    default:
      return color.cyan(status)
  }
}

/** Age of a running task, or how long an ended one ran. */
export function formatTime(record: TaskRecord, now: number): string {
  if (record.durationMs !== null) return formatDuration(record.durationMs)
  return `${formatDuration(now - (record.startedAt ?? record.createdAt))} ago`
}

/** The `ls` table: one task a line, columns padded to their widest cell, no borders. */
export function renderTaskTable(
  records: TaskRecord[],
  usage: Map<string, TreeUsage>,
  options: TableOptions,
): string {
  const { color } = options
  const header = [
    'ID',
    'STATUS',
    'TIME',
    'EXIT',
    'CPU',
    'MEM',
    ...(options.showSession ? ['SESSION'] : []),
    'COMMAND',
  ]
  const rows = records.map((record) => {
    const use = usage.get(record.taskId)
    return [
      record.taskId,
      colorStatus(record.status, color) +
        (record.leftoverProcesses ? color.yellow(` +${record.leftoverProcesses.length} left`) : ''),
      formatTime(record, options.now),
      record.exitCode === null ? color.dim('-') : String(record.exitCode),
      use ? `${use.cpuPercent.toFixed(1)}%` : color.dim('-'),
      use ? formatBytes(use.memoryBytes) : color.dim('-'),
      ...(options.showSession ? [shortSession(record.sessionId)] : []),
      oneLine(record.description ? `${record.command}  # ${record.description}` : record.command),
    ]
  })
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => visibleLength(row[column] ?? ''))),
  )
  const last = header.length - 1
  const lead = widths.slice(0, last).reduce((sum, width) => sum + width + 2, 0)
  const room = options.columns === undefined ? Number.POSITIVE_INFINITY : Math.max(10, options.columns - lead)
  const format = (cells: string[]) =>
    cells
      .map((cell, column) => (column === last ? cut(cell, room) : pad(cell, widths[column] ?? 0)))
      .join('  ')
      .trimEnd()
  const lines = [color.bold(format(header)), ...rows.map(format)]
  if (records.length === 0) lines.push(color.dim('(no tasks)'))
  return `${lines.join('\n')}\n`
}

/** `project:/home/me/app` → `app`; other session ids as they are, cut to 24 characters. */
export function shortSession(sessionId: string): string {
  const name = sessionId.startsWith('project:')
    ? sessionId.slice(sessionId.lastIndexOf('/') + 1) || '/'
    : sessionId
  return name.length > 24 ? `${name.slice(0, 23)}…` : name
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ⏎ ')
}

function visibleLength(text: string): number {
  return stripAnsi(text).length
}

function pad(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - visibleLength(text)))
}

function cut(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, Math.max(0, width - 1))}…`
}

/** One process of a task's tree as a line; the wrapper shell is named, not dumped. */
export function formatProcess(proc: { pid: number; command: string }, columns?: number): string {
  const command = proc.command
  const line = `  ${String(proc.pid).padStart(7)}  ${command}`
  return columns === undefined ? line : cut(line, columns)
}
