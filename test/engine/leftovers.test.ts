import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Completion } from '../../src/index.js'
import { runInProcess } from '../helpers/cli.js'
import { isAlive } from '../helpers/pids.js'
import { useTestStore } from '../helpers/store.js'
import { pollUntil } from '../helpers/wait.js'

test('a process the command left running stays the task’s: listed, in the completion, killed by kill, the record keeping its exit code', async (t) => {
  const store = await useTestStore(t)
  const tm = await store.open()
  const completions: Completion[] = []
  tm.on('completion', (completion) => completions.push(completion))
  const { taskId } = await tm.spawn({ command: 'sleep 602 & echo x' })
  const [ended] = await tm.wait([taskId])
  assert.equal(ended?.status, 'completed')
  const record = await pollUntil(
    () => tm.status(taskId),
    (r) => (r.leftoverProcesses?.length ?? 0) > 0,
    { what: 'the leftover on the record' },
  )
  const [sleeper] = record.leftoverProcesses!
  assert.equal(sleeper?.command, 'sleep 602')
  assert.ok(isAlive(sleeper!.pid))
  // The completion already says what still runs (the pipe it holds kept the output from draining).
  assert.equal(completions[0]?.taskId, taskId)
  assert.deepEqual(
    completions[0]?.leftoverProcesses?.map((p) => p.command),
    ['sleep 602'],
  )
  // The person sees it too: ls marks it, show lists it, kill --dry-run names the plumbing in words.
  const opts = { home: store.home, cwd: store.scratch, env: { BGBASH_SESSION: 'test-session' } }
  assert.match((await runInProcess(['ls'], opts)).stdout, /completed \+1 left/)
  assert.match(
    (await runInProcess(['show', taskId], opts)).stdout,
    /leftover processes:\n\s+\d+ {2}sleep 602/,
  )
  const plan = (await runInProcess(['kill', '--dry-run', taskId], opts)).stdout
  assert.match(plan, /sleep 602/)
  assert.doesNotMatch(plan, /umask|exec >>|\$\$/, 'the wrapper is named, never shown as its script')
  assert.match(plan, /bgbash (wrapper|output relay)/)
  // kill ends what it left running; the record keeps completed / 0 and notes the kill.
  const killed = await tm.kill(taskId, { graceMs: 500, by: 'test' })
  assert.equal(killed.status, 'completed')
  assert.equal(killed.exitCode, 0)
  assert.equal(killed.alreadyFinished, true)
  assert.deepEqual(
    killed.killedLeftovers?.processes.map((p) => p.command),
    ['sleep 602'],
  )
  await pollUntil(
    () => isAlive(sleeper!.pid),
    (alive) => !alive,
    { what: 'the leftover to die' },
  )
  const after = await tm.status(taskId)
  assert.equal(after.leftoverProcesses, undefined)
  assert.equal(after.killedLeftovers?.by, 'test')
  // Nothing of the task runs any more: not the wrapper, not the relay (they exit once unblocked).
  await pollUntil(
    () => tm.planKill(taskId),
    (left) => left.length === 0,
    { what: 'every process of the task to be gone' },
  )
})

test('the task’s deadline applies to what its command left running', async (t) => {
  const store = await useTestStore(t)
  const tm = await store.open({ killGraceMs: 200 })
  const { taskId } = await tm.spawn({ command: 'sleep 603 >/dev/null 2>&1 & echo started', timeoutMs: 1500 })
  const [ended] = await tm.wait([taskId])
  assert.equal(ended?.status, 'completed')
  const record = await pollUntil(
    () => tm.status(taskId),
    (r) => (r.leftoverProcesses?.length ?? 0) > 0,
    { what: 'the leftover on the record' },
  )
  const pid = record.leftoverProcesses![0]!.pid
  const killed = await pollUntil(
    () => tm.status(taskId),
    (r) => r.killedLeftovers !== undefined,
    { what: 'the deadline to kill the leftover', timeoutMs: 15_000 },
  )
  assert.equal(killed.killedLeftovers?.by, 'deadline')
  assert.equal(killed.status, 'completed', 'the command itself completed before its deadline')
  assert.equal(isAlive(pid), false)
})

test('a task nobody watched end (its starter exited at once, as `bgbash run` does) shows what its command left running', async (t) => {
  const store = await useTestStore(t)
  const starter = await store.open()
  const { taskId } = await starter.spawn({ command: 'sleep 603 & echo x' })
  await starter.close()
  // Only read from here on: nothing records the end or the leftover; the view finds both.
  const reader = await store.open({ readOnly: true })
  const record = await pollUntil(
    () => reader.status(taskId),
    (r) => r.status === 'completed',
    { what: 'the command to exit' },
  )
  assert.deepEqual(
    record.leftoverProcesses?.map((p) => p.command),
    ['sleep 603'],
  )
  const listed = (await reader.list()).find((r) => r.taskId === taskId)
  assert.deepEqual(
    listed?.leftoverProcesses?.map((p) => p.command),
    ['sleep 603'],
  )
  await reader.close()
  const killer = await store.open()
  const killed = await killer.kill(taskId)
  assert.equal(killed.killedLeftovers?.processes[0]?.command, 'sleep 603')
  assert.equal(isAlive(record.leftoverProcesses![0]!.pid), false)
  await killer.close()
})
