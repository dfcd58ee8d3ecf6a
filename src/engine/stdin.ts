import fs from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import { BgbashError } from '../errors.js'
import { signalGroupLeader } from '../proc/pause.js'
import type { TaskPaths } from '../store/paths.js'
import type { PidInfo } from '../store/records.js'

const { O_WRONLY, O_NONBLOCK, O_NOFOLLOW } = fs.constants

/** Longest a write waits for a command that does not read its stdin (a full pipe). */
const WRITE_STALL_MS = 5000

/**
 * Writes to a task's stdin FIFO. The wrapper holds the FIFO open for reading, so opening it never
 * blocks; a full pipe is retried until WRITE_STALL_MS. Returns the bytes written.
 */
export async function writeStdin(paths: TaskPaths, data: Buffer): Promise<number> {
  let fd: number
  try {
    fd = fs.openSync(paths.stdin, O_WRONLY | O_NONBLOCK | O_NOFOLLOW)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENXIO' || code === 'ENOENT') {
      throw new BgbashError(
        'task_not_running',
        `Stdin is closed: ${paths.taskId}. Its input was ended or the task is gone.`,
      )
    }
    throw new BgbashError('storage_failed', `Could not open stdin of ${paths.taskId} (${code}).`, {
      cause: error,
    })
  }
  let written = 0
  const deadline = Date.now() + WRITE_STALL_MS
  try {
    while (written < data.length) {
      try {
        written += fs.writeSync(fd, data, written)
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code
        if (code === 'EAGAIN' && Date.now() < deadline) {
          await sleep(5)
          continue
        }
        if (code === 'EAGAIN') {
          throw new BgbashError(
            'task_not_running',
            `Stdin is full: ${paths.taskId} did not read its input for ${WRITE_STALL_MS} ms (${written} of ${data.length} bytes written).`,
            { data: { bytesWritten: written } },
          )
        }
        if (code === 'EPIPE') {
          throw new BgbashError(
            'task_not_running',
            `Stdin is closed: ${paths.taskId} no longer reads its input.`,
          )
        }
        throw error
      }
    }
  } finally {
    fs.closeSync(fd)
  }
  return written
}

/** Ends a task's input: the wrapper's trap closes its end of the FIFO on SIGUSR1. */
export function closeStdin(pid: PidInfo): boolean {
  return signalGroupLeader(pid.pid, pid.startTime, 'SIGUSR1')
}
