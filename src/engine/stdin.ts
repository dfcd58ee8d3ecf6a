import fs from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import { BgbashError } from '../errors.js'
import { signalGroupLeader } from '../proc/kill.js'
import type { TaskPaths } from '../store/paths.js'
import type { PidInfo } from '../store/records.js'

const { O_WRONLY, O_NONBLOCK, O_NOFOLLOW } = fs.constants

/** Longest a write waits for a command that does not read its stdin (a full pipe). */
const WRITE_STALL_MS = 5000

/** Longest a writer waits for a task that has just started to open its stdin. */
const OPEN_WAIT_MS = 2000

/**
 * Opens a task's stdin FIFO for writing. The wrapper holds it open for reading (after its trap
 * is set), so this never blocks; a task started a moment ago may not hold it yet: retried briefly.
 */
async function openStdin(paths: TaskPaths): Promise<number> {
  const deadline = Date.now() + OPEN_WAIT_MS
  for (;;) {
    try {
      return fs.openSync(paths.stdin, O_WRONLY | O_NONBLOCK | O_NOFOLLOW)
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      if (code === 'ENXIO' && Date.now() < deadline) {
        await sleep(2)
        continue
      }
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
  }
}

/**
 * Writes to a task's stdin FIFO; a full pipe is retried until WRITE_STALL_MS. Returns the bytes
 * written. With `eof`, ends the input once the bytes are in: the wrapper's trap closes its end of
 * the FIFO on SIGUSR1 (its trap is set before it opens the FIFO, so the open proves it is ready).
 */
export async function writeStdin(
  paths: TaskPaths,
  pid: PidInfo,
  data: Buffer,
  eof: boolean,
): Promise<number> {
  const fd = await openStdin(paths)
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
  if (eof) signalGroupLeader(pid.pid, pid.startTime, 'SIGUSR1')
  return written
}
