import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  COMMAND_EXIT_DRAIN_MAX_MS,
  COMMAND_EXIT_DRAIN_MS,
  decideExitEnd,
  type ExitDecision,
  type ExitState,
} from '../../src/engine/settle.js'

test('decideExitEnd: when a task whose command has exited ends, for a watched task and a found one alike', () => {
  const drain = COMMAND_EXIT_DRAIN_MS
  const rows: Array<[string, ExitState, boolean, ExitDecision, boolean]> = [
    // [what, state, a leftover may hold the pipe, decision, was the leftover question asked]
    ['drained', { drained: true, isWrapperAlive: true, sinceExitMs: 0 }, false, { end: true }, false],
    [
      'wrapper gone, not drained',
      { drained: false, isWrapperAlive: false, sinceExitMs: 0 },
      false,
      { end: true },
      false,
    ],
    [
      'just exited, draining',
      { drained: false, isWrapperAlive: true, sinceExitMs: 40 },
      true,
      { end: false, askAgainInMs: drain - 40 },
      false,
    ],
    [
      'past the drain wait, a leftover holds the pipe',
      { drained: false, isWrapperAlive: true, sinceExitMs: drain },
      true,
      { end: true },
      true,
    ],
    [
      'past the drain wait, only the relay left (a busy machine)',
      { drained: false, isWrapperAlive: true, sinceExitMs: drain + 1 },
      false,
      { end: false, askAgainInMs: drain },
      true,
    ],
    [
      'only the relay left, past the longest wait',
      { drained: false, isWrapperAlive: true, sinceExitMs: COMMAND_EXIT_DRAIN_MAX_MS },
      false,
      { end: true },
      false,
    ],
  ]
  for (const [what, state, holds, expected, asks] of rows) {
    let asked = false
    const decision = decideExitEnd(state, () => {
      asked = true
      return holds
    })
    assert.deepEqual(decision, expected, what)
    assert.equal(asked, asks, `${what}: looked at the processes`)
  }
})
