import type { TaskPaths } from '../store/paths.js'
import type { TaskRecord } from '../types.js'
import { watchDirectory } from '../watch/dir-watcher.js'
import { type LogMatch, LogScanner } from '../watch/log-scanner.js'

/** Why a `waitFor` returned. A timeout is an answer, not an error. */
export type WaitForReason = 'match' | 'fail_match' | 'exit' | 'timeout'

export interface WaitForOptions {
  /** `exit` (default): until every task ended. A RegExp: until it appears in any task's output. */
  until?: RegExp | 'exit'
  /** Stop as soon as this appears in any task's output (a failure signature). */
  failOn?: RegExp
  /** Give up after this long; default 30 s. */
  timeoutMs?: number
  /** With `until: 'exit'`, return when the first task ends instead of all. */
  any?: boolean
  /** Scan output from this absolute offset; default 0 (everything the task wrote). */
  fromOffset?: number
  allSessions?: boolean
  /** Aborts the wait early (it then returns as a timeout). */
  signal?: AbortSignal
}

export interface WaitForResult {
  reason: WaitForReason
  /** The task whose output matched or that ended first, when there is one. */
  taskId?: string
  match?: LogMatch
  /** Every task's record at the moment the wait returned. */
  records: TaskRecord[]
  waitedMs: number
}

export interface WaitTarget {
  paths: TaskPaths
  /** Resolves with the terminal record when the task ends. */
  ended: Promise<TaskRecord>
}

/**
 * Waits on tasks' exits and output patterns, driven by file watches on their logs and exit
 * events; the log is scanned incrementally from where the last scan stopped.
 */
export function waitForTasks(
  targets: WaitTarget[],
  options: WaitForOptions,
  readRecord: (paths: TaskPaths) => TaskRecord,
): Promise<WaitForResult> {
  const started = Date.now()
  const until = options.until ?? 'exit'
  const patterns: Array<[RegExp, 'match' | 'fail_match']> = []
  if (options.failOn) patterns.push([options.failOn, 'fail_match'])
  if (until !== 'exit') patterns.push([until, 'match'])
  const scanners = targets.map((target) =>
    patterns.map(([pattern, reason]) => ({
      reason,
      scanner: new LogScanner(target.paths, pattern, options.fromOffset),
    })),
  )
  return new Promise<WaitForResult>((resolve) => {
    const closers: Array<() => void> = []
    let done = false
    const finish = (reason: WaitForReason, taskId?: string, match?: LogMatch) => {
      if (done) return
      done = true
      for (const close of closers) close()
      resolve({
        reason,
        taskId,
        match,
        records: targets.map((target) => readRecord(target.paths)),
        waitedMs: Date.now() - started,
      })
    }
    const scan = (index: number, isFinal: boolean): boolean => {
      for (const { reason, scanner } of scanners[index] ?? []) {
        const match = scanner.scan(isFinal)
        if (match) {
          finish(reason, targets[index]!.paths.taskId, match)
          return true
        }
      }
      return false
    }
    let ended = 0
    targets.forEach((target, index) => {
      if (patterns.length > 0) {
        closers.push(
          watchDirectory(
            target.paths.dir,
            (name) => {
              if (name === 'output.log' && !done) scan(index, false)
            },
            () => {},
          ),
        )
      }
      target.ended.then((record) => {
        if (done) return
        // The last bytes may have landed after the last file event: look once more.
        if (patterns.length > 0 && scan(index, true)) return
        ended++
        if (until === 'exit' && options.any) finish('exit', record.taskId)
        else if (ended === targets.length) finish('exit', until === 'exit' ? undefined : record.taskId)
      })
    })
    const timer = setTimeout(() => finish('timeout'), options.timeoutMs ?? 30_000)
    closers.push(() => clearTimeout(timer))
    if (options.signal) {
      const onAbort = () => finish('timeout')
      options.signal.addEventListener('abort', onAbort, { once: true })
      closers.push(() => options.signal?.removeEventListener('abort', onAbort))
    }
    // What was written before the wait began counts too.
    for (let index = 0; index < targets.length && !done; index++) if (patterns.length > 0) scan(index, false)
  })
}
