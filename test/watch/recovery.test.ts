import assert from 'node:assert/strict'
import { test } from 'node:test'
import { type FoundTask, planRecovery, type Recovery } from '../../src/watch/recovery.js'

const base: FoundTask = {
  hasPid: true,
  exitCode: undefined,
  isAlive: true,
  isKilling: false,
  isCreatorAlive: false,
  isOverdue: false,
}

test('planRecovery: every case of the start-up reconcile', () => {
  const rows: Array<[string, Partial<FoundTask>, Recovery]> = [
    [
      'no pid yet, its creator still spawning it',
      { hasPid: false, isCreatorAlive: true, isAlive: false },
      'wait_for_spawn',
    ],
    [
      'no pid, creator gone: a spawn cut short',
      { hasPid: false, isCreatorAlive: false, isAlive: false },
      'finish_spawn_aborted',
    ],
    [
      'no pid, creator gone, even with an exit code (no pid wins)',
      { hasPid: false, exitCode: 0, isAlive: false },
      'finish_spawn_aborted',
    ],
    ['exit code written, process gone', { exitCode: 3, isAlive: false }, 'finish_from_exit'],
    [
      'exit code written, wrapper still alive (a leftover holds the pipe)',
      { exitCode: 0, isAlive: true },
      'finish_from_exit',
    ],
    [
      'exit code written, overdue: the code wins over the deadline',
      { exitCode: 0, isOverdue: true },
      'finish_from_exit',
    ],
    ['process gone, no code, a kill was under way', { isAlive: false, isKilling: true }, 'finish_killed'],
    [
      'process gone, a code and a kill: the kill decides',
      { isAlive: false, isKilling: true, exitCode: 143 },
      'finish_killed',
    ],
    [
      'alive with a code and a kill under way: finish the kill',
      { exitCode: 143, isKilling: true },
      'continue_kill',
    ],
    ['process gone, no code, no kill: lost', { isAlive: false }, 'finish_lost'],
    ['alive, a kill was cut short', { isKilling: true }, 'continue_kill'],
    [
      'alive, a kill was cut short and overdue: the kill goes on',
      { isKilling: true, isOverdue: true },
      'continue_kill',
    ],
    ['alive past its deadline', { isOverdue: true }, 'kill_overdue'],
    ['alive', {}, 'adopt'],
  ]
  for (const [what, found, expected] of rows) {
    assert.equal(planRecovery({ ...base, ...found }), expected, what)
  }
})
