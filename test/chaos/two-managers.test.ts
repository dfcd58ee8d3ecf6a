import assert from 'node:assert/strict'
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import readline from 'node:readline'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { killHard, readFirstLine } from '../helpers/child.js'
import { taskDirOf, useTestStore } from '../helpers/store.js'
import { pollUntil } from '../helpers/wait.js'
import { bySize, chaosSeed, Scenario, seededRandom } from './chaos.js'
import { readDeliveries, startManager } from './deliveries.js'

const SESSION = 'chaos-race'
const RACER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'racer.ts')

/** A racer process (fixtures/racer.ts) spoken to one JSON line at a time. */
class Racer {
  private readonly replies: Array<(line: string) => void> = []

  constructor(readonly child: ChildProcess) {
    readline.createInterface({ input: child.stdout! }).on('line', (line) => this.replies.shift()?.(line))
  }

  static async start(home: string, deliveries: string): Promise<Racer> {
    const child = spawn(process.execPath, ['--import', 'tsx', RACER, home, SESSION, deliveries], {
      stdio: ['pipe', 'pipe', 'inherit'],
    })
    JSON.parse(await readFirstLine(child))
    return new Racer(child)
  }

  // biome-ignore lint/suspicious/noExplicitAny: replies of several shapes
  ask(request: unknown): Promise<any> {
    return new Promise((resolve) => {
      this.replies.push((line) => resolve(JSON.parse(line)))
      this.child.stdin!.write(`${JSON.stringify(request)}\n`)
    })
  }
}

interface Plan {
  command: string
  kill: boolean
  exitCode: number
}

test('two managers in two processes race on the same tasks (watching, claiming, killing): one end record and one delivery each', async (t) => {
  const taskCount = bySize(24, 120)
  const rounds = bySize(2, 5)
  const scenario = new Scenario(t, `race: 2 managers, ${rounds} rounds of ${taskCount} tasks`)
  const seed = chaosSeed()
  const random = seededRandom(seed)
  t.diagnostic(`seed ${seed} (BGBASH_CHAOS_SEED=${seed} replays it)`)
  const store = await useTestStore(t)
  const deliveries = path.join(store.scratch, 'deliveries.ndjson')
  // Every task blocks on one line from this FIFO; the test holds it open so none sees EOF early.
  const fifo = path.join(store.scratch, 'gate')
  execFileSync('mkfifo', [fifo])
  const gate = fs.openSync(fifo, fs.constants.O_RDWR)
  t.after(() => fs.closeSync(gate))
  const racers: Racer[] = []
  t.after(async () => {
    for (const racer of racers) await killHard(racer.child)
  })
  // The second one is open first, so it sees the first one's tasks appear (adopts them mid-creation).
  racers.push(await Racer.start(store.home, deliveries))
  racers.push(await Racer.start(store.home, deliveries))
  const [a, b] = racers as [Racer, Racer]

  let allIds: string[] = []
  const allPlans = new Map<string, Plan>()
  let doubleKills = 0
  for (let round = 0; round < rounds; round++) {
    await scenario.run(async () => {
      const plans: Plan[] = Array.from({ length: taskCount }, () => {
        const exitCode = Math.floor(random() * 50)
        return { command: `read -r l < '${fifo}'; exit ${exitCode}`, kill: random() < 0.3, exitCode }
      })
      // Half the tasks from each manager, spawned at the same time.
      const half = Math.floor(taskCount / 2)
      const [fromA, fromB] = await Promise.all([
        a.ask({ spawn: plans.slice(0, half).map(({ command }) => ({ command })) }),
        b.ask({ spawn: plans.slice(half).map(({ command }) => ({ command })) }),
      ])
      const ids: string[] = [...fromA.taskIds, ...fromB.taskIds]
      assert.equal(ids.length, taskCount, JSON.stringify([fromA, fromB]))
      for (const [i, id] of ids.entries()) allPlans.set(id, plans[i]!)
      allIds = [...allIds, ...ids]
      // Both kill the same tasks at the same moment.
      const doomed = ids.filter((_, i) => plans[i]!.kill)
      const [killedByA, killedByB] = await Promise.all([a.ask({ kill: doomed }), b.ask({ kill: doomed })])
      for (const [i, id] of doomed.entries()) {
        const x = killedByA.killed[i]
        const y = killedByB.killed[i]
        assert.equal(x.taskId, id)
        assert.equal(x.status, 'killed', `${id} killed, as manager A saw it`)
        assert.equal(y.status, 'killed', `${id} killed, as manager B saw it`)
        assert.equal(x.exitCode, y.exitCode, `${id}: both managers report one exit code`)
        assert.equal(x.finishedAt, y.finishedAt, `${id}: both managers report one end`)
        if (!x.alreadyFinished && !y.alreadyFinished) doubleKills++
      }
      // Release the rest: each reads one line and exits with its code (no line left for the next round).
      fs.writeSync(gate, '\n'.repeat(taskCount - doomed.length))
      await pollUntil(
        () => readDeliveries(deliveries),
        (list) => new Set(list.map((d) => d.taskId)).size >= allIds.length,
        { timeoutMs: 30_000, intervalMs: 20, what: `${allIds.length} deliveries` },
      )
    })
  }

  await scenario.run(async () => {
    // Both keep claiming on their timers: a duplicate would show up within a few ticks.
    const settled = await pollUntil(
      () => {
        const lines = readDeliveries(deliveries).length
        return { lines, at: Date.now() }
      },
      (() => {
        let last = -1
        let since = Date.now()
        return ({ lines, at }: { lines: number; at: number }) => {
          if (lines !== last) {
            last = lines
            since = at
          }
          return at - since >= 300
        }
      })(),
      { timeoutMs: 10_000, intervalMs: 25, what: 'the deliveries file to stay the same for 300 ms' },
    )
    const final = readDeliveries(deliveries)
    assert.equal(final.length, settled.lines)
    const perTask = new Map<string, number>()
    for (const d of final) perTask.set(d.taskId, (perTask.get(d.taskId) ?? 0) + 1)
    assert.deepEqual(
      [...perTask].filter(([, n]) => n !== 1),
      [],
      'each completion delivered exactly once across both managers',
    )
    assert.deepEqual([...perTask.keys()].sort(), [...allIds].sort())
    const byManager = new Map<number, number>()
    for (const d of final) byManager.set(d.by, (byManager.get(d.by) ?? 0) + 1)
    for (const id of allIds) {
      const plan = allPlans.get(id)!
      const dir = taskDirOf(store.home, id)
      const names = fs.readdirSync(dir)
      assert.deepEqual(
        names.filter((name) => name.endsWith('.tmp')),
        [],
        `${id}: no temp record left behind`,
      )
      const end = JSON.parse(fs.readFileSync(path.join(dir, 'end.json'), 'utf8'))
      const delivery = final.find((d) => d.taskId === id)!
      if (plan.kill) {
        assert.equal(end.status, 'killed', `${id} end record`)
        // SIGTERM ends these tasks, and the record says so: a manager must never finish a task
        // that it or the other one is still killing with a guessed SIGKILL.
        assert.equal(end.exit_code, 143, `${id} killed: ${JSON.stringify(end)}`)
        assert.equal(end.signal, 'SIGTERM')
      } else {
        assert.equal(end.status, plan.exitCode === 0 ? 'completed' : 'failed', `${id} end record`)
        assert.equal(end.exit_code, plan.exitCode, `${id} exit code`)
      }
      assert.equal(delivery.status, end.status)
      assert.equal(delivery.exitCode, end.exit_code)
      assert.ok(fs.existsSync(path.join(dir, 'delivered')), `${id} marked delivered`)
    }
    scenario.figure = `${allIds.length} tasks, ${final.length} deliveries (${[...byManager.values()].join('/')} per manager), ${doubleKills} tasks killed by both at once, 0 duplicates; every killed task recorded as ended by SIGTERM, seed ${seed}`
  })
})

// Regression: the other manager's sweep used to finish the task first with a guessed SIGKILL (137).
test('a task killed by one manager keeps the signal that ended it when another manager sweeps it first', async (t) => {
  const scenario = new Scenario(t, 'race: kill seen first by the other manager’s sweep')
  const store = await useTestStore(t)
  const tm = await store.open({ sessionId: SESSION, killGraceMs: 5000 })
  const { taskId } = await tm.spawn({ command: 'sleep 600' })
  // The other manager adopts the running task (it lists the session when it opens).
  const other = await startManager(store.home, SESSION, path.join(store.scratch, 'deliveries.ndjson'))
  t.after(() => killHard(other.child))
  await scenario.run(async () => {
    // kill() sends SIGTERM before its first await; then this manager is busy for 3 s (a long
    // synchronous step, as a loaded manager has), longer than one liveness sweep of the other.
    const killing = tm.kill(taskId)
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 3000)
    const record = await killing
    const end = JSON.parse(fs.readFileSync(path.join(taskDirOf(store.home, taskId), 'end.json'), 'utf8'))
    scenario.figure = `recorded ${end.signal} ${end.exit_code} for a sleep ended by SIGTERM`
    assert.equal(record.status, 'killed')
    assert.equal(end.signal, 'SIGTERM', `end.json: ${JSON.stringify(end)}`)
    assert.equal(end.exit_code, 143)
  })
})
