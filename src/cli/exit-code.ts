import { type TaskRecord, TIMEOUT_EXIT_CODE } from '../index.js'

/** Exit code a shell would give for a signal: 128 + n (SIGKILL → 137). */
const SIGKILL_EXIT_CODE = 137

/** Exit code when the person pressed Ctrl-C (128 + SIGINT). */
export const INTERRUPTED_EXIT_CODE = 130

/** The exit code a person expects for an ended task, as if it had run in their shell. */
export function getTaskExitCode(record: TaskRecord): number {
  switch (record.status) {
    case 'completed':
      return 0
    case 'timed_out':
      return TIMEOUT_EXIT_CODE
    case 'killed':
      return record.exitCode ?? SIGKILL_EXIT_CODE
    default:
      return record.exitCode === null || record.exitCode === 0 ? 1 : record.exitCode
  }
}

/** Several tasks: 0 when all succeeded, else the code of the first one (in the given order) that did not. */
export function getCombinedExitCode(records: TaskRecord[]): number {
  for (const record of records) {
    const code = getTaskExitCode(record)
    if (code !== 0) return code
  }
  return 0
}
