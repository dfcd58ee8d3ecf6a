import assert from 'node:assert/strict'
import type { ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { setTimeout as delay } from 'node:timers/promises'
import { killHard } from '../helpers/child.js'
import { taskDirOf, useTestStore } from '../helpers/store.js'
import { pollUntil } from '../helpers/wait.js'
import { bySize, chaosSeed, Scenario, seededRandom } from './chaos.js'
import { type Delivery, readDeliveries, startManager } from './deliveries.js'

const SESSION = 'chaos-crash'

interface Plan {
  command: string
  exitCode: number
  output: string
}

/** Task i prints a known run of lines, sleeps (across manager deaths), prints more, exits with its code. */
function planTask(i: number, random: () => number, maxSleepS: number): Plan {
  const lines = 1 + Math.floor(random() * 200)
  const split = Math.floor(lines / 2)
  const sleepS = (random() * maxSleepS).toFixed(2)
  const exitCode = random() < 0.4 ? 0 : 1 + Math.floor(random() * 120)
  const pad = `chaos-${i}-${'x'.repeat(i % 50)}`
  const seq = (from: number, to: number) => (from > to ? ':' : `seq -f 't${i} %g ${pad}' ${from} ${to}`)
  let output = ''
  for (let n = 1; n <= lines; n++) output += `t${i} ${n} ${pad}\n`
  return {
    command: `${seq(1, split)}; sleep ${sleepS}; ${seq(split + 1, lines)}; exit ${exitCode}`,
    exitCode,
    output,
  }
}

/** A task's records and the state of its wrapper, for a failure message. */
function describeTask(dir: string): Record<string, unknown> {
  const read = (name: string) => {
    try {
      return fs.readFileSync(path.join(dir, name), 'utf8')
    } catch {
      return null
    }
  }
  const pid = JSON.parse(read('pid.json') ?? '{}').pid as number | undefined
  let wrapper = 'unknown'
  try {
    wrapper = pid ? fs.readFileSync(`/proc/${pid}/stat`, 'latin1').split(') ')[1]!.slice(0, 1) : 'no pid'
  } catch {
    wrapper = 'gone'
  }
  return {
    dir: path.basename(dir),
    files: fs.readdirSync(dir),
    exit: read('exit'),
    end: read('end.json'),
    wrapper,
  }
}

test('a manager SIGKILLed at random moments and restarted: true codes, every completion delivered once (but one a killed manager had just claimed: SPEC §5, at most once), no byte missing', async (t) => {
  const scenario = new Scenario(
    t,
    bySize('crash: 20 tasks, 3 manager SIGKILLs', 'crash: 100 tasks, 5 manager SIGKILLs'),
  )
  const taskCount = bySize(20, 100)
  const kills = bySize(3, 5)
  const maxSleepS = bySize(1.5, 4)
  const seed = chaosSeed()
  const random = seededRandom(seed)
  t.diagnostic(`seed ${seed} (BGBASH_CHAOS_SEED=${seed} replays it)`)
  const store = await useTestStore(t)
  const managers: ChildProcess[] = []
  t.after(async () => {
    for (const child of managers) await killHard(child)
  })
  await scenario.run(async () => {
    const plans = Array.from({ length: taskCount }, (_, i) => planTask(i, random, maxSleepS))
    const commandsFile = path.join(store.scratch, 'commands.json')
    fs.writeFileSync(commandsFile, JSON.stringify(plans.map(({ command }) => ({ command }))))
    const deliveries = path.join(store.scratch, 'deliveries.ndjson')

    const first = await startManager(store.home, SESSION, deliveries, commandsFile)
    managers.push(first.child)
    const taskIds = first.taskIds
    assert.equal(taskIds.length, taskCount)
    let current = first.child
    // Each instance lives a random part of the tasks' lifetime, then dies without warning.
    for (let k = 0; k < kills; k++) {
      await delay(50 + random() * ((maxSleepS * 1000) / kills))
      await killHard(current)
      current = (await startManager(store.home, SESSION, deliveries)).child
      managers.push(current)
    }
    // SPEC §5: a manager claims a completion (`delivered`) before it hands it out, so one SIGKILLed
    // between the two (a few syscalls) has claimed a completion nobody received: at most once,
    // never twice. Such a loss is told apart from any other: its claimer is a killed manager.
    const killedClaimers = new Set(
      managers.filter((child) => child !== current).map((child) => `pid:${child.pid}`),
    )
    const isLostInClaim = (taskId: string) => {
      try {
        const claim = JSON.parse(
          fs.readFileSync(path.join(taskDirOf(store.home, taskId), 'delivered'), 'utf8'),
        )
        return killedClaimers.has(claim.by)
      } catch {
        return false
      }
    }
    const undelivered = (list: Delivery[]) => {
      const seen = new Set(list.map((d) => d.taskId))
      return taskIds.filter((id) => !seen.has(id))
    }
    const delivered = await pollUntil(
      () => readDeliveries(deliveries),
      (list) => undelivered(list).every(isLostInClaim),
      { timeoutMs: 60_000, intervalMs: 50, what: `${taskCount} completions` },
    ).catch((error: Error) => {
      // Say what the tasks without a completion look like on disk, for whoever reads the failure.
      const seen = new Set(readDeliveries(deliveries).map((d) => d.taskId))
      const missing = taskIds.filter((id) => !seen.has(id))
      throw new Error(
        `${error.message}\nwithout a completion: ${JSON.stringify(missing.map((id) => describeTask(taskDirOf(store.home, id))))}`,
      )
    })
    await killHard(current)
    const final = readDeliveries(deliveries)
    assert.equal(final.length, delivered.length, 'no completion was delivered after the last one counted')

    const byTask = new Map<string, number>()
    for (const d of final) byTask.set(d.taskId, (byTask.get(d.taskId) ?? 0) + 1)
    const duplicated = [...byTask].filter(([, n]) => n > 1)
    assert.deepEqual(duplicated, [], 'each completion was delivered exactly once')
    const lost = undelivered(final)
    assert.ok(lost.length <= 1, `lost in a claim: ${lost.join(', ')} (the window is a few syscalls)`)
    assert.deepEqual([...byTask.keys()].sort(), taskIds.filter((id) => !lost.includes(id)).sort())

    const tm = await store.open({ sessionId: SESSION })
    let missingBytes = 0
    for (const [i, taskId] of taskIds.entries()) {
      const plan = plans[i]!
      const record = await tm.status(taskId)
      assert.equal(record.exitCode, plan.exitCode, `${taskId} (${plan.command}) exit code`)
      assert.equal(record.status, plan.exitCode === 0 ? 'completed' : 'failed', `${taskId} status`)
      assert.equal(record.delivered, true)
      const delivery = final.find((d) => d.taskId === taskId)
      if (delivery) {
        assert.equal(delivery.exitCode, plan.exitCode)
        assert.equal(delivery.status, record.status)
      }
      const log = fs.readFileSync(path.join(taskDirOf(store.home, taskId), 'output.log'), 'utf8')
      missingBytes += Math.max(0, Buffer.byteLength(plan.output) - Buffer.byteLength(log))
      assert.equal(log, plan.output, `${taskId} output`)
    }
    const instances = new Map<number, number>()
    for (const d of final) instances.set(d.by, (instances.get(d.by) ?? 0) + 1)
    scenario.figure = `${final.length} completions for ${taskCount} tasks over ${kills + 1} managers (${[...instances.values()].join('/')}), 0 duplicates, ${lost.length} lost in a claim by a killed manager, ${missingBytes} bytes missing, seed ${seed}`
  })
})
