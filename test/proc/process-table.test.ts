import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { test } from 'node:test'
import { isInCyclicRange, ProcessTable } from '../../src/proc/process-table.js'

test('isInCyclicRange: the pids handed out between two cursors, across the wrap', () => {
  const rows: Array<[number, number, number, boolean]> = [
    [150, 100, 200, true],
    [200, 100, 200, true],
    [100, 100, 200, false],
    [250, 100, 200, false],
    [50, 100, 200, false],
    // The cursor wrapped from 32000 to 400: 32001… and …400 were handed out.
    [32500, 32000, 400, true],
    [300, 32000, 400, true],
    [401, 32000, 400, false],
    [31999, 32000, 400, false],
    // The cursor did not move: nothing was handed out.
    [100, 100, 100, false],
  ]
  for (const [pid, from, to, expected] of rows)
    assert.equal(isInCyclicRange(pid, from, to), expected, `${pid} in (${from}, ${to}]`)
})

test('a process table look sees a process born since the last look, and forgets one that exited', async (t) => {
  const table = new ProcessTable()
  table.read()
  const child = spawn('sleep', ['30'], { stdio: 'ignore' })
  t.after(() => child.kill('SIGKILL'))
  await new Promise((resolve) => child.once('spawn', resolve))
  const seen = table.read().find((stat) => stat.pid === child.pid)
  assert.ok(seen, 'the new process is in the next look')
  child.kill('SIGKILL')
  await new Promise((resolve) => child.once('exit', resolve))
  assert.equal(
    table.read().some((stat) => stat.pid === child.pid && stat.startTime === seen.startTime),
    false,
  )
})
