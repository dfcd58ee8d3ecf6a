import assert from 'node:assert/strict'
import { test } from 'node:test'
import { decideOutcome, type EndFacts, type Outcome } from '../../src/engine/outcome.js'
import type { KillInfo } from '../../src/store/records.js'

const userKill: KillInfo = { reason: 'user', by: 'cli', at: 1 }
const deadline: KillInfo = { reason: 'timeout', by: 'deadline', at: 1 }
const capKill: KillInfo = { reason: 'output_cap', by: 'output_cap', at: 1 }

test('decideOutcome: what is known at the end → terminal status (SPEC §2)', () => {
  const rows: Array<[string, EndFacts, Partial<Outcome>]> = [
    ['exit 0', { exitCode: 0, kill: undefined }, { status: 'completed', exitCode: 0, endReason: 'exit' }],
    ['exit 3', { exitCode: 3, kill: undefined }, { status: 'failed', exitCode: 3, endReason: 'exit' }],
    [
      '128+9 from the shell: a signal nobody here sent',
      { exitCode: 137, kill: undefined },
      { status: 'failed', exitCode: 137, endReason: 'signal', signal: 'SIGKILL' },
    ],
    [
      'exit 128 is a code, not a signal',
      { exitCode: 128, kill: undefined },
      { status: 'failed', endReason: 'exit' },
    ],
    [
      'the wrapper itself died of a signal',
      { exitCode: undefined, kill: undefined, wrapperSignal: 'SIGTERM' },
      { status: 'failed', exitCode: 143, endReason: 'signal' },
    ],
    [
      'no code, no signal, no kill: lost',
      { exitCode: undefined, kill: undefined },
      { status: 'lost', exitCode: null, endReason: 'lost' },
    ],
    [
      'could not start',
      { exitCode: undefined, kill: undefined, spawnError: 'ENOENT' },
      { status: 'failed', exitCode: null, endReason: 'spawn_error', statusReason: 'ENOENT' },
    ],
    [
      'killed by a person: TERM was enough',
      { exitCode: 143, kill: userKill, killSignal: 'SIGTERM' },
      { status: 'killed', exitCode: 143, endReason: 'kill', signal: 'SIGTERM', killedBy: 'cli' },
    ],
    [
      'killed, KILL was needed',
      { exitCode: undefined, kill: userKill, killSignal: 'SIGKILL' },
      { status: 'killed', exitCode: 137, signal: 'SIGKILL' },
    ],
    [
      'a kill finished by another manager: the signal from the code',
      { exitCode: 143, kill: userKill },
      { status: 'killed', signal: 'SIGTERM' },
    ],
    [
      'a kill with nothing known: SIGKILL assumed',
      { exitCode: undefined, kill: userKill },
      { status: 'killed', signal: 'SIGKILL' },
    ],
    [
      'the deadline: timed_out, 124, never success',
      { exitCode: 0, kill: deadline, killSignal: 'SIGTERM' },
      { status: 'timed_out', exitCode: 124, endReason: 'timeout' },
    ],
    [
      'the output cap: killed with its reason',
      { exitCode: undefined, kill: capKill, killSignal: 'SIGTERM' },
      { status: 'killed', statusReason: 'output_cap' },
    ],
    [
      'a spawn error wins over a kill',
      { exitCode: undefined, kill: userKill, spawnError: 'E2BIG' },
      { status: 'failed', endReason: 'spawn_error' },
    ],
  ]
  for (const [what, facts, expected] of rows) {
    const outcome = decideOutcome(facts)
    for (const [key, value] of Object.entries(expected)) {
      assert.equal(outcome[key as keyof Outcome], value, `${what}: ${key}`)
    }
  }
})
