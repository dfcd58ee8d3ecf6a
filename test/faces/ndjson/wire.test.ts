import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  descendantsToWire,
  pipelineNote,
  toWireExitCode,
  toWireStatus,
  withFinalNewline,
  withPipelineNote,
} from '../../../src/faces/ndjson/wire.js'
import { TaskStatus } from '../../../src/index.js'

test('statuses on the wire: a kill in progress reads running, a lost task fate_unknown', () => {
  const expected: Record<TaskStatus, string> = {
    starting: 'starting',
    running: 'running',
    killing: 'running',
    completed: 'completed',
    failed: 'failed',
    killed: 'killed',
    timed_out: 'timed_out',
    lost: 'fate_unknown',
  }
  for (const status of Object.values(TaskStatus)) assert.equal(toWireStatus(status), expected[status], status)
})

test('exit codes on the wire: killed 137, timed out 124, others as recorded', () => {
  assert.equal(toWireExitCode('killed', null), 137)
  assert.equal(toWireExitCode('timed_out', 143), 124)
  assert.equal(toWireExitCode('failed', 3), 3)
  assert.equal(toWireExitCode('lost', null), null)
})

test('previews keep the final newline of the output, and only that', () => {
  assert.equal(withFinalNewline('hello\nworld', true), 'hello\nworld\n')
  assert.equal(withFinalNewline('hello\nworld', false), 'hello\nworld')
  assert.equal(withFinalNewline('done\n', true), 'done\n')
  assert.equal(withFinalNewline('', true), '')
})

test('live descendants: AFT’s entries and a summary naming each program, none while none run', () => {
  assert.deepEqual(descendantsToWire('bash-0000000000000001', undefined), { live_descendants: [] })
  const three = [1, 2, 3].map((pid) => ({ pid, command: 'worker 30', name: 'sleep' }))
  const wire = descendantsToWire('bash-0000000000000001', [
    ...three,
    { pid: 4, command: '/usr/bin/node server.js' },
  ])
  assert.deepEqual(wire.live_descendants, [
    { pid: 1, comm: 'sleep', argv0: 'worker' },
    { pid: 2, comm: 'sleep', argv0: 'worker' },
    { pid: 3, comm: 'sleep', argv0: 'worker' },
    { pid: 4, comm: 'node', argv0: '/usr/bin/node' },
  ])
  assert.equal(
    wire.live_descendants_summary,
    "4 live descendants still running: sleep ×3, node — they keep the task's process group; bash_kill(bash-0000000000000001) stops them",
  )
})

test('the pipeline note: the first stage that failed before a last stage that succeeded', () => {
  const cases: Array<[string, number[] | undefined, string | undefined]> = [
    [
      'false | tail -1',
      [1, 0],
      "note: `false` (segment 1 of 2) exited 1; the pipeline's exit code is `tail`'s.",
    ],
    [
      "false | sh -c 'exit 2' | cat",
      [1, 2, 0],
      "note: `false` (segment 1 of 3) exited 1; the pipeline's exit code is `cat`'s.",
    ],
    ['true | tail -1', [0, 0], undefined],
    ['true | false', [0, 1], undefined],
    ['false | tail -1', undefined, undefined],
    ['false | tail -1; true', [1, 0], undefined],
  ]
  for (const [command, stages, note] of cases) assert.equal(pipelineNote(command, stages), note, command)
  assert.equal(
    withPipelineNote('up\n', 'sh -c x | cat', [3, 0]),
    "up\nnote: `sh` (segment 1 of 2) exited 3; the pipeline's exit code is `cat`'s.",
  )
  assert.equal(
    withPipelineNote('up', 'sh -c x | cat', [3, 0]),
    "up\nnote: `sh` (segment 1 of 2) exited 3; the pipeline's exit code is `cat`'s.",
  )
})
