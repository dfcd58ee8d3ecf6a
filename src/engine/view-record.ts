import { isProcessAlive } from '../proc/procfs.js'
import { readMtime } from '../store/fsx.js'
import { readExitRecord } from '../store/records.js'
import type { TaskFiles } from '../store/task-store.js'
import type { LeftoverProcess, TaskRecord } from '../types.js'
import { decideOutcome } from './outcome.js'

/**
 * The record of a task that no manager here watches, as its files and processes show it now,
 * without writing anything: `status` and `list` only look. A task whose command has exited, or
 * whose process is gone, shows how it ended (the outcome `decideOutcome` gives); a manager that
 * watches the project records that end, so the two never disagree. What its command left running
 * is looked for then (`leftovers`): nobody has recorded it yet.
 */
export function viewUnwatched(
  files: TaskFiles,
  record: TaskRecord,
  leftovers: () => LeftoverProcess[],
): TaskRecord {
  const { paths, pid, kill } = files
  if (files.end || !pid) return record
  const exit = readExitRecord(paths)
  const isAlive = isProcessAlive(pid.pid, pid.startTime)
  if (exit === undefined && isAlive) return record
  const outcome = decideOutcome({ exitCode: exit?.code, kill })
  const finishedAt = Math.max(pid.startedAt, readMtime(paths.exit) ?? Date.now())
  const left = exit === undefined ? [] : leftovers()
  return {
    ...record,
    ...(left.length > 0 ? { leftoverProcesses: left } : {}),
    status: outcome.status,
    exitCode: outcome.exitCode,
    endReason: outcome.endReason,
    ...(outcome.signal ? { signal: outcome.signal } : {}),
    ...(outcome.killedBy ? { killedBy: outcome.killedBy } : {}),
    ...(outcome.statusReason ? { statusReason: outcome.statusReason } : {}),
    finishedAt,
    durationMs: Math.max(0, finishedAt - pid.startedAt),
  }
}
