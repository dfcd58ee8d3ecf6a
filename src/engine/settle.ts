import { collectLeftovers, type TaskRoot } from '../proc/tree.js'
import { readMtime } from '../store/fsx.js'
import type { TaskPaths } from '../store/paths.js'
import { type ExitRecord, readExitRecord } from '../store/records.js'

// When a task whose command has exited ends: one rule, for a task this manager watches (the
// exit record's event, then a timer) and for one it finds (start-up, the sweep, before a wait or
// a kill: Reconcile.recover). A kill ends its own task; a spawn that fails ends its own.

/**
 * How long after its command exited a task waits for its output to drain (`drained` in `exit`)
 * before a process the command left running (`server &`), which may hold the pipe for good, lets
 * it end from the exit code alone; that process is then reported as left over.
 */
export const COMMAND_EXIT_DRAIN_MS = 250

/**
 * How long a task whose command left nothing running waits for `drained` in all: only the relay
 * can hold the pipe then, still copying on a machine too busy to run it.
 */
export const COMMAND_EXIT_DRAIN_MAX_MS = 10_000

/** What decides whether a task whose command has exited ends now. */
export interface ExitState {
  /** `drained` is in `exit`: the relay has emptied the pipe. */
  drained: boolean
  /** The wrapper, which writes `drained`, still runs. */
  isWrapperAlive: boolean
  /** Since the exit code was written. */
  sinceExitMs: number
}

export type ExitDecision = { end: true } | { end: false; askAgainInMs: number }

/**
 * The rule. At once when the output has drained, or when the wrapper is gone (nobody will write
 * `drained`). Else not before COMMAND_EXIT_DRAIN_MS; then when a process the command left
 * running may hold the pipe (asked only then: it takes a look at the processes), or once
 * COMMAND_EXIT_DRAIN_MAX_MS have passed; until then, ask again every COMMAND_EXIT_DRAIN_MS.
 */
export function decideExitEnd(state: ExitState, mayLeftoverHoldPipe: () => boolean): ExitDecision {
  if (state.drained || !state.isWrapperAlive) return { end: true }
  if (state.sinceExitMs < COMMAND_EXIT_DRAIN_MS)
    return { end: false, askAgainInMs: COMMAND_EXIT_DRAIN_MS - state.sinceExitMs }
  if (state.sinceExitMs >= COMMAND_EXIT_DRAIN_MAX_MS || mayLeftoverHoldPipe()) return { end: true }
  return { end: false, askAgainInMs: COMMAND_EXIT_DRAIN_MS }
}

/**
 * The exit record read now and the rule's answer for it; undefined while the command runs. The
 * wrapper is asked after only when the output has not drained (the usual end asks nothing more).
 */
export function settleExit(
  paths: TaskPaths,
  isWrapperAliveNow: () => boolean,
  root: TaskRoot | undefined,
): { exit: ExitRecord; decision: ExitDecision } | undefined {
  const exit = readExitRecord(paths)
  if (!exit) return undefined
  const isWrapperAlive = exit.drained || isWrapperAliveNow()
  const writtenAt = exit.drained || !isWrapperAlive ? undefined : readMtime(paths.exit)
  const decision = decideExitEnd(
    {
      drained: exit.drained,
      isWrapperAlive,
      sinceExitMs: writtenAt === undefined ? 0 : Date.now() - writtenAt,
    },
    // Without the wrapper's pid its processes cannot be told apart: do not wait on them.
    () => root === undefined || collectLeftovers(root).length > 0,
  )
  return { exit, decision }
}
