// Short texts a model reads: durations, one line per task, the completion block, the task table.
import type { Completion, LongRunningNotice, TaskRecord } from '../../index.js'

/** `850 ms`, `3.4 s`, `2m 05s`, `1h 02m`. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '?'
  if (ms < 1000) return `${Math.round(ms)} ms`
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`
  const seconds = Math.floor(ms / 1000)
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ${String(seconds % 60).padStart(2, '0')}s`
  return `${Math.floor(seconds / 3600)}h ${String(Math.floor((seconds % 3600) / 60)).padStart(2, '0')}m`
}

/** What a status means in a few words: `failed, exit 2`, `killed by mcp (SIGTERM, exit 143)`. */
export function describeOutcome(fields: {
  status: string
  exitCode: number | null
  endReason: string | null
  signal?: string
  killedBy?: string
  timeoutMs?: number
}): string {
  const { status, exitCode, endReason, signal } = fields
  switch (status) {
    case 'completed':
      return 'completed, exit 0'
    case 'failed':
      if (endReason === 'spawn_error') return 'failed to start'
      if (endReason === 'signal') return `failed: died of ${signal ?? 'a signal'} (exit ${exitCode})`
      return `failed, exit ${exitCode}`
    case 'killed':
      return `killed${fields.killedBy ? ` by ${fields.killedBy}` : ''} (${signal ? `${signal}, ` : ''}exit ${exitCode})`
    case 'timed_out':
      return `timed out${fields.timeoutMs ? ` at its ${formatDuration(fields.timeoutMs)} deadline` : ''} (exit 124)`
    case 'lost':
      return 'lost: its process is gone and no exit code was recorded'
    default:
      return status
  }
}

/** One line about a task: `bgb-1a2b3c4d failed, exit 1 after 3.2 s: npm test`. */
export function describeTask(record: TaskRecord, now = Date.now()): string {
  const command = shorten(record.command, 120)
  if (record.finishedAt === null) {
    const since = record.startedAt ?? record.createdAt
    return `${record.taskId} ${record.status} for ${formatDuration(now - since)}${record.pid ? ` (pid ${record.pid})` : ''}: ${command}`
  }
  return `${record.taskId} ${describeOutcome(record)} after ${formatDuration(record.durationMs)}: ${command}${describeLeftovers(record)}`
}

/**
 * What an ended task's command left running: those processes are still the task's (its kill ends
 * them). Empty when nothing is left.
 */
export function describeLeftovers(task: Pick<TaskRecord, 'taskId' | 'leftoverProcesses'>): string {
  const left = task.leftoverProcesses
  if (!left?.length) return ''
  const list = left.map((proc) => `${proc.pid} ${shorten(proc.command, 60)}`).join('; ')
  return `\n  still running, started by it: ${list} (bash_kill ${task.taskId} stops ${left.length === 1 ? 'it' : 'them'})`
}

/** The block appended to a tool result for owed completions and long-running reminders. */
export function formatNotices(completions: Completion[], notices: LongRunningNotice[]): string | undefined {
  if (completions.length === 0 && notices.length === 0) return undefined
  const parts: string[] = []
  for (const c of completions) {
    const before = c.inherited ? ' (started before this server restarted)' : ''
    const head = `Background task ${c.taskId}${before} finished: ${describeOutcome(c)}, after ${formatDuration(c.durationMs)}`
    const lines = [head, `$ ${shorten(c.command, 200)}`]
    if (c.description) lines.splice(1, 0, `(${c.description})`)
    const preview = c.outputPreview.trimEnd()
    lines.push(preview === '' ? '(no output)' : preview)
    const left = describeLeftovers(c)
    if (left) lines.push(left.trim())
    parts.push(lines.join('\n'))
  }
  for (const n of notices) {
    parts.push(
      `Still running: ${n.taskId} for ${formatDuration(n.elapsedMs)}: ${shorten(n.command, 120)}. ` +
        'Check it with bash_output, wait with bash_wait, or stop it with bash_kill.',
    )
  }
  return parts.join('\n\n')
}

/** A compact fixed-width table of tasks, newest first. */
export function formatTable(records: TaskRecord[], now = Date.now()): string {
  const rows = records.map((r) => [
    r.taskId,
    r.status,
    r.exitCode === null ? '-' : String(r.exitCode),
    r.finishedAt === null ? formatDuration(now - (r.startedAt ?? r.createdAt)) : formatDuration(r.durationMs),
    shorten(r.description ? `${r.command}  # ${r.description}` : r.command, 80),
  ])
  const header = ['ID', 'STATUS', 'EXIT', 'TIME', 'COMMAND']
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)))
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd()
  return [line(header), ...rows.map(line)].join('\n')
}

/** The first line of a text, cut to `max` characters. */
export function shorten(text: string, max: number): string {
  const firstLine = text.split('\n', 1)[0]!
  const cut = firstLine.length > max ? `${firstLine.slice(0, max - 1)}…` : firstLine
  return cut.length < text.length && !cut.endsWith('…') ? `${cut} …` : cut
}
