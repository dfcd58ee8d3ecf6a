import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import type { Completion, TaskRecord } from '../../src/index.js'
import { useTestStore } from '../helpers/store.js'
import { pollUntil } from '../helpers/wait.js'
import { bySize, countFds, mib, Scenario } from './chaos.js'

interface Plan {
  exitCode: number
  /** How the test ends it: the command exits, the test kills it, or its deadline does. */
  end: 'exit' | 'kill' | 'timeout'
}

function planOf(i: number): Plan {
  if (i % 10 === 3) return { exitCode: 143, end: 'kill' }
  if (i % 17 === 5) return { exitCode: 124, end: 'timeout' }
  return { exitCode: i % 7 === 0 ? 0 : i % 200, end: 'exit' }
}

const STATUS = {
  exit: (code: number) => (code === 0 ? 'completed' : 'failed'),
  kill: () => 'killed',
  timeout: () => 'timed_out',
}

test('1000 concurrent tasks through one manager: true status and code each, one completion each, fds back to baseline', async (t) => {
  const taskCount = bySize(150, 1000)
  const scenario = new Scenario(t, `load: ${taskCount} concurrent tasks, one manager`)
  const store = await useTestStore(t)
  // Every task blocks reading one line from this FIFO. The test holds it open read-write from the
  // start, so no task ever sees end of input early, and releasing them all is one write of
  // `taskCount` newlines (bash's `read` takes one byte at a time from a pipe: one line each).
  const fifo = path.join(store.scratch, 'release')
  execFileSync('mkfifo', [fifo])
  const gate = fs.openSync(fifo, fs.constants.O_RDWR)
  t.after(() => fs.closeSync(gate))
  const tm = await store.open({ maxRunning: taskCount + 10, killGraceMs: 500 })
  const completions = new Map<string, Completion[]>()
  tm.on('completion', (completion) => {
    const list = completions.get(completion.taskId) ?? []
    list.push(completion)
    completions.set(completion.taskId, list)
  })
  const baselineFds = countFds()
  let peakFds = baselineFds
  let peakRss = process.memoryUsage().rss
  const sample = setInterval(() => {
    peakFds = Math.max(peakFds, countFds())
    peakRss = Math.max(peakRss, process.memoryUsage().rss)
  }, 20)
  t.after(() => clearInterval(sample))

  await scenario.run(async () => {
    const plans = Array.from({ length: taskCount }, (_, i) => planOf(i))
    const spawnStarted = performance.now()
    const records = await Promise.all(
      plans.map((plan) =>
        tm.spawn({
          command: `read -r line < '${fifo}'; exit ${plan.exitCode}`,
          timeoutMs: plan.end === 'timeout' ? 200 : 0,
        }),
      ),
    )
    const spawnMs = performance.now() - spawnStarted
    const ids = records.map((record) => record.taskId)
    assert.equal(new Set(ids).size, taskCount, 'every task has its own id')
    const timeoutIds = ids.filter((_, i) => plans[i]!.end === 'timeout')
    await tm.wait(timeoutIds)
    const running = await tm.list({ status: ['running', 'starting'] })
    assert.equal(running.length, taskCount - timeoutIds.length, 'the others all run at once')
    // No descriptor is held per running task. Records of the tasks that ended are fsynced in the
    // background (an open fd each until its fsync ran): poll until those are done, bounded.
    const runningFds = await pollUntil(countFds, (n) => n <= baselineFds, {
      timeoutMs: 10_000,
      what: `fds back to the baseline of ${baselineFds} while ${running.length} tasks run`,
    })

    await Promise.all(ids.filter((_, i) => plans[i]!.end === 'kill').map((id) => tm.kill(id)))
    const released = performance.now()
    fs.writeSync(gate, '\n'.repeat(taskCount))
    const ended = await tm.wait(ids, { timeoutMs: 120_000 })
    const drainMs = performance.now() - released

    const wrong: string[] = []
    ended.forEach((record: TaskRecord, i) => {
      const plan = plans[i]!
      const status = STATUS[plan.end](plan.exitCode)
      if (record.status !== status || record.exitCode !== plan.exitCode)
        wrong.push(
          `${record.taskId}: ${record.status} ${record.exitCode}, expected ${status} ${plan.exitCode}`,
        )
    })
    assert.deepEqual(wrong, [], 'every task reached its true status and exit code')

    await pollUntil(
      () => completions.size,
      (n) => n >= taskCount,
      { timeoutMs: 30_000, what: `${taskCount} completions` },
    )
    const repeated = [...completions].filter(([, list]) => list.length !== 1).map(([id]) => id)
    assert.deepEqual(repeated, [], 'one completion per task')
    assert.deepEqual([...completions.keys()].sort(), [...ids].sort())
    for (const [i, id] of ids.entries()) {
      const completion = completions.get(id)![0]!
      assert.equal(completion.exitCode, plans[i]!.exitCode, `${id} completion exit code`)
    }
    // Closing a child's last handle happens on the loop after its exit: poll, bounded.
    const fds = await pollUntil(countFds, (n) => n <= baselineFds, {
      timeoutMs: 10_000,
      what: `fds back to the baseline of ${baselineFds}`,
    })
    const tally = (end: Plan['end']) => plans.filter((plan) => plan.end === end).length
    scenario.figure = `${taskCount} tasks (${tally('exit')} exit, ${tally('kill')} killed, ${tally('timeout')} timed out): spawned in ${(spawnMs / 1000).toFixed(1)} s, all ${taskCount} ended ${(drainMs / 1000).toFixed(1)} s after release; fds ${baselineFds} → ${runningFds} with all running (peak ${peakFds}) → ${fds}; peak RSS ${mib(peakRss)}`
  })
})
