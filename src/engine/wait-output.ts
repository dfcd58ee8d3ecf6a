import fs from 'node:fs'
import type { TaskPaths } from '../store/paths.js'
import type { TaskRecord } from '../types.js'
import { watchDirectory } from '../watch/dir-watcher.js'

/** Why `waitForOutput` returned. */
export type OutputWaitReason = 'output' | 'exit' | 'timeout'

export interface WaitForOutputOptions {
  /** Return once the task's output extends past this absolute offset. */
  afterOffset: number
  /** Give up after this long; default 30 s. A timeout is an answer, not an error. */
  timeoutMs?: number
  /** Aborts the wait early (it then returns as a timeout). */
  signal?: AbortSignal
  allSessions?: boolean
}

/**
 * Resolves as soon as a task's log grows past an offset (any byte: a partial line, a prompt),
 * the task ends, or the time is up — driven by a watch on the task's directory, not a poll.
 */
export function waitForLogGrowth(
  paths: TaskPaths,
  ended: Promise<TaskRecord>,
  options: WaitForOutputOptions,
): Promise<OutputWaitReason> {
  return new Promise((resolve) => {
    let done = false
    const closers: Array<() => void> = []
    const finish = (reason: OutputWaitReason) => {
      if (done) return
      done = true
      for (const close of closers) close()
      resolve(reason)
    }
    const check = () => {
      if (readLogSize(paths) > options.afterOffset) finish('output')
    }
    closers.push(
      watchDirectory(
        paths.dir,
        (name) => {
          if (name === 'output.log') check()
        },
        // Without a watch the task's end still ends the wait.
        () => {},
      ),
    )
    ended.then(() => finish('exit'))
    const timer = setTimeout(() => finish('timeout'), options.timeoutMs ?? 30_000)
    closers.push(() => clearTimeout(timer))
    if (options.signal) {
      const signal = options.signal
      const onAbort = () => finish('timeout')
      if (signal.aborted) onAbort()
      signal.addEventListener('abort', onAbort, { once: true })
      closers.push(() => signal.removeEventListener('abort', onAbort))
    }
    // Bytes written before the watch began count too.
    if (!done) check()
  })
}

function readLogSize(paths: TaskPaths): number {
  try {
    return fs.statSync(paths.output).size
  } catch {
    // No log yet: nothing written.
    return 0
  }
}
