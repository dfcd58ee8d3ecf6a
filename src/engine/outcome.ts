import os from 'node:os'
import type { KillInfo } from '../store/records.js'
import type { EndReason, TaskStatus } from '../types.js'

/** Exit code reported for a timed-out task, as `timeout(1)` does. */
export const TIMEOUT_EXIT_CODE = 124

const SIGNAL_NAMES = new Map<number, string>(
  Object.entries(os.constants.signals).map(([name, number]) => [number, name] as [number, string]),
)

export function getSignalName(number: number): string | undefined {
  return SIGNAL_NAMES.get(number)
}

export function getSignalNumber(name: string): number {
  return (os.constants.signals as Record<string, number>)[name] ?? 9
}

/** What is known when a task ends. */
export interface EndFacts {
  /** The code the wrapper wrote into `exit`, if it got that far. */
  exitCode: number | undefined
  /** The signal that ended the wrapper itself, when its parent saw it. */
  wrapperSignal?: string | null
  /** The kill request, when one was made. */
  kill: KillInfo | undefined
  /** The last signal our kill had to send. */
  killSignal?: string
  spawnError?: string
}

export interface Outcome {
  status: TaskStatus
  exitCode: number | null
  endReason: EndReason
  signal?: string
  killedBy?: string
  statusReason?: string
}

/**
 * Turns what is known about an ended task into its terminal status (SPEC §2). A timeout is never
 * success, a kill is never the command's failure, and a shell exit code of 128+n reads as signal n.
 */
export function decideOutcome(facts: EndFacts): Outcome {
  if (facts.spawnError !== undefined) {
    return { status: 'failed', exitCode: null, endReason: 'spawn_error', statusReason: facts.spawnError }
  }
  if (facts.kill) {
    // The last signal our kill had to send is what ended the task; the rest are fallbacks when another
    // manager's kill was cut short.
    const signal = facts.killSignal ?? facts.wrapperSignal ?? signalFromCode(facts.exitCode) ?? 'SIGKILL'
    if (facts.kill.reason === 'timeout') {
      return {
        status: 'timed_out',
        exitCode: TIMEOUT_EXIT_CODE,
        endReason: 'timeout',
        signal,
        killedBy: facts.kill.by,
      }
    }
    return {
      status: 'killed',
      exitCode: 128 + getSignalNumber(signal),
      endReason: 'kill',
      signal,
      killedBy: facts.kill.by,
      statusReason: facts.kill.reason === 'user' ? undefined : facts.kill.reason,
    }
  }
  if (facts.exitCode !== undefined) {
    if (facts.exitCode === 0) return { status: 'completed', exitCode: 0, endReason: 'exit' }
    const signal = signalFromCode(facts.exitCode)
    if (signal) return { status: 'failed', exitCode: facts.exitCode, endReason: 'signal', signal }
    return { status: 'failed', exitCode: facts.exitCode, endReason: 'exit' }
  }
  if (facts.wrapperSignal) {
    return {
      status: 'failed',
      exitCode: 128 + getSignalNumber(facts.wrapperSignal),
      endReason: 'signal',
      signal: facts.wrapperSignal,
    }
  }
  return {
    status: 'lost',
    exitCode: null,
    endReason: 'lost',
    statusReason: 'the process is gone and no exit code was recorded',
  }
}

/** Shells report a command killed by signal n as 128+n. */
function signalFromCode(code: number | undefined): string | undefined {
  if (code === undefined || code <= 128 || code > 128 + 64) return undefined
  return getSignalName(code - 128)
}
