// Child process of the scale bench: one manager holding N sleeping tasks, measured from inside,
// so its RSS, CPU and descriptors are the manager's alone and not the whole bench's.
// Usage: node scale-manager.js <home> <count> <idleMs> <killSample> <killBatch>; prints one JSON
// line (ManagerFigures).
import { setTimeout as sleep } from 'node:timers/promises'
import { openTaskManager, type TaskManager } from '../src/index.js'
import {
  countOpenFds,
  describeOpenFds,
  FD_SLACK,
  killGroups,
  killStoreLeftovers,
  measureIdleCpu,
  readRssMiB,
  readStoreGroups,
} from './scale-procs.js'

export interface ManagerFigures {
  count: number
  /** Each spawn → reply, ms, while the earlier ones keep running. */
  spawnMs: number[]
  rssEmptyMiB: number
  rssOwnedMiB: number
  rssAdoptedMiB: number
  cpuOwnedPct: number
  cpuAdoptedPct: number
  /** openTaskManager over a store where `count` tasks run (all adopted). */
  adoptOpenMs: number
  /** `kill` of one task at a time while the others run, spread over the tasks. */
  killOneMs: number[]
  /** `kill` of `killBatch` tasks at once (what `close({ killRunning })` does), total. */
  killBatch: number
  killBatchMs: number
  /** The remaining tasks' commands SIGKILLed from outside at once → all recorded ended, total. */
  crashed: number
  crashEndMs: number
  fdsBefore: number
  fdsOwned: number
  fdsAdopted: number
  /** Most descriptors seen while the tasks were killed and crashed (sampled every 5 ms). */
  fdsPeak: number
  /** From the last task's end until the descriptors were back within FD_SLACK of the start. */
  fdsDrainMs: number
  fdsAfter: number
  /** What the descriptors left after all tasks ended point at, by kind. */
  fdKindsAfter: Record<string, number>
  /** Processes the safety net still had to kill (should be 0). */
  leftovers: number
}

/** Time for the spawns' own work (exit-record watches, leftover scans) to settle before a figure. */
const SETTLE_MS = 300
/** Longest wait for descriptors to come back after the tasks ended. */
const DRAIN_LIMIT_MS = 30_000

async function main(): Promise<void> {
  const [home, ...numbers] = process.argv.slice(2)
  const [count = 0, idleMs = 0, killSample = 0, killBatch = 0] = numbers.map(Number)
  if (!home || numbers.length !== 4)
    throw new Error('usage: scale-manager <home> <count> <idleMs> <killSample> <killBatch>')
  const options = { home, sessionId: 'scale', maxRunning: count + 10 }
  let owner: TaskManager | undefined
  let adopter: TaskManager | undefined
  const figures: Partial<ManagerFigures> = { count }
  try {
    owner = await openTaskManager(options)
    await sleep(SETTLE_MS)
    figures.rssEmptyMiB = readRssMiB()
    figures.fdsBefore = countOpenFds()
    const ids: string[] = []
    figures.spawnMs = []
    for (let i = 0; i < count; i++) {
      const t0 = performance.now()
      const record = await owner.spawn({ command: 'sleep 600', notify: false })
      figures.spawnMs.push(performance.now() - t0)
      ids.push(record.taskId)
    }
    await sleep(SETTLE_MS)
    figures.rssOwnedMiB = readRssMiB()
    figures.fdsOwned = countOpenFds()
    figures.cpuOwnedPct = await measureIdleCpu(idleMs)

    // The same tasks, adopted by a manager that did not start them (the restart case).
    await owner.close()
    owner = undefined
    const t0 = performance.now()
    adopter = await openTaskManager(options)
    figures.adoptOpenMs = performance.now() - t0
    await sleep(SETTLE_MS)
    figures.rssAdoptedMiB = readRssMiB()
    figures.fdsAdopted = countOpenFds()
    figures.cpuAdoptedPct = await measureIdleCpu(idleMs)

    // One at a time, spread over the tasks: an older task's kill looks at more processes (any
    // process born after its wrapper may be one of its own).
    const stride = Math.max(1, Math.floor(count / killSample))
    const sample = ids.filter((_, i) => i % stride === 0).slice(0, killSample)
    figures.killOneMs = []
    for (const id of sample) {
      const k0 = performance.now()
      const record = await adopter.kill(id)
      figures.killOneMs.push(performance.now() - k0)
      if (record.status !== 'killed') throw new Error(`kill of ${id} left it ${record.status}`)
    }
    // Ending tasks may hold descriptors for a while (records fsynced on the thread pool): sample.
    let peak = countOpenFds()
    const sampler = setInterval(() => {
      peak = Math.max(peak, countOpenFds())
    }, 5)
    const rest = ids.filter((id) => !sample.includes(id))
    const batch = rest.slice(0, killBatch)
    figures.killBatch = batch.length
    const k0 = performance.now()
    const killed = await Promise.all(batch.map((id) => adopter!.kill(id)))
    figures.killBatchMs = performance.now() - k0
    const unkilled = killed.filter((record) => record.status !== 'killed')
    if (unkilled.length > 0) throw new Error(`${unkilled.length} tasks not killed: ${unkilled[0]?.status}`)

    // The rest end on their own, all at once: their commands die, their wrappers record it.
    const crashing = rest.slice(killBatch)
    figures.crashed = crashing.length
    const c0 = performance.now()
    killGroups(readStoreGroups(home), { spareLeaders: true })
    const ended = await adopter.wait(crashing, { timeoutMs: 60_000 })
    figures.crashEndMs = performance.now() - c0
    const running = ended.filter((record) => record.status === 'running' || record.status === 'killing')
    if (running.length > 0) throw new Error(`${running.length} crashed tasks still ${running[0]?.status}`)
    const d0 = performance.now()
    while (countOpenFds() > figures.fdsBefore + FD_SLACK && performance.now() - d0 < DRAIN_LIMIT_MS)
      await sleep(5)
    figures.fdsDrainMs = performance.now() - d0
    clearInterval(sampler)
    figures.fdsPeak = Math.max(peak, countOpenFds())
    figures.fdsAfter = countOpenFds()
    figures.fdKindsAfter = describeOpenFds()
  } finally {
    // From outside first: a manager's own kill of hundreds of tasks at once takes minutes.
    figures.leftovers = await killStoreLeftovers(home)
    await owner?.close().catch(() => undefined)
    await adopter?.close().catch(() => undefined)
  }
  await new Promise<void>((resolve) => process.stdout.write(`${JSON.stringify(figures)}\n`, () => resolve()))
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`scale-manager: ${error instanceof Error ? error.stack : String(error)}\n`)
    process.exit(1)
  },
)
