import assert from 'node:assert/strict'
import { type ChildProcess, spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { killHard, readFirstLine, runFixture } from '../helpers/child.js'
import { findTaskProcesses, isAlive, PidTracker } from '../helpers/pids.js'
import { readPidRecord, taskDirOf, useTestStore } from '../helpers/store.js'
import { pollUntil } from '../helpers/wait.js'
import { bySize, Scenario } from './chaos.js'

const NS_LAST_PID = '/proc/sys/kernel/ns_last_pid'

function procState(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1')
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0]
  } catch {
    return undefined
  }
}

/**
 * Starts `sleep 60` under a given pid: the kernel hands out ns_last_pid + 1 next (root only), so
 * the pid really is reused. Other processes on the machine may take it first; then try again.
 * Falls back to any pid when the kernel will not let us choose.
 */
async function spawnWithPid(
  pid: number,
  pids: PidTracker,
): Promise<{ child: ChildProcess; isReal: boolean }> {
  for (let attempt = 0; attempt < 50; attempt++) {
    try {
      fs.writeFileSync(NS_LAST_PID, String(pid - 1))
    } catch {
      break
    }
    const child = spawn('sleep', ['60'], { stdio: 'ignore' })
    pids.track(child.pid)
    if (child.pid === pid) return { child, isReal: true }
    await killHard(child)
  }
  const child = spawn('sleep', ['60'], { stdio: 'ignore' })
  pids.track(child.pid)
  return { child, isReal: false }
}

test('a stored task whose pid now belongs to an unrelated process is lost, and that process is untouched', async (t) => {
  const runs = bySize(2, 10)
  const scenario = new Scenario(t, `pid reuse: pid handed to an unrelated process, ${runs}×`)
  const store = await useTestStore(t)
  const pids = new PidTracker()
  t.after(() => pids.killAll())
  let realReuses = 0
  for (let run = 0; run < runs; run++) {
    await scenario.run(async () => {
      const first = await store.open()
      const { taskId, pid } = await first.spawn({ command: 'sleep 60' })
      await first.close()
      // Its wrapper has recorded itself: a task killed before that would be a spawn cut short.
      await readPidRecord(taskDirOf(store.home, taskId))
      const group = findTaskProcesses([taskId])
      process.kill(-pid!, 'SIGKILL')
      // Every process of the group gone from /proc (reaped), so the kernel may hand the pid out again.
      await pollUntil(
        () => group.filter((member) => fs.existsSync(`/proc/${member}`)),
        (left) => left.length === 0,
        { what: `the processes of pid ${pid} to be reaped` },
      )
      const { child, isReal } = await spawnWithPid(pid!, pids)
      const pidFile = path.join(taskDirOf(store.home, taskId), 'pid.json')
      if (isReal) realReuses++
      else {
        // The kernel would not hand out this pid: point the record at the unrelated process instead.
        const recorded = await readPidRecord(taskDirOf(store.home, taskId))
        fs.writeFileSync(pidFile, JSON.stringify({ ...recorded, pid: child.pid, pgid: child.pid }))
      }
      const second = await store.open()
      const record = await second.status(taskId)
      assert.equal(record.status, 'lost')
      assert.equal(record.exitCode, null)
      assert.equal(isAlive(child.pid!), true, 'the unrelated process was not signalled')
      assert.notEqual(procState(child.pid!), 'T', 'the unrelated process was not stopped')
      await second.close()
      await killHard(child)
    })
  }
  scenario.figure = `${realReuses} of ${runs} runs reused the pid for real (ns_last_pid), the rest by rewriting pid.json; unrelated process untouched every time`
})

test('a task whose process is a zombie (its manager stopped, so nobody reaps it) counts as dead', async (t) => {
  const runs = bySize(2, 10)
  const scenario = new Scenario(t, `zombie: task process unreaped, ${runs}×`)
  const store = await useTestStore(t)
  for (let run = 0; run < runs; run++) {
    await scenario.run(async () => {
      const session = `zombie-${run}`
      const manager = runFixture('manager.ts', [
        store.home,
        session,
        JSON.stringify([{ command: 'sleep 60' }]),
      ])
      t.after(() => killHard(manager))
      const { taskIds } = JSON.parse(await readFirstLine(manager)) as { taskIds: string[] }
      const taskId = taskIds[0]!
      const { pid } = await readPidRecord(taskDirOf(store.home, taskId))
      // The manager (the wrapper's parent) is stopped: when the wrapper dies nobody reaps it.
      process.kill(manager.pid!, 'SIGSTOP')
      process.kill(-pid, 'SIGKILL')
      await pollUntil(
        () => procState(pid),
        (state) => state === 'Z',
        { what: `task process ${pid} to become a zombie` },
      )
      const tm = await store.open({ sessionId: session })
      const record = await tm.status(taskId)
      assert.equal(record.status, 'lost')
      await tm.close()
      await killHard(manager)
    })
  }
  scenario.figure = `${scenario.passed} zombies reported lost, none as running`
})
