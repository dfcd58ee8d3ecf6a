// Scale: 1000 tasks through one manager (RSS, idle CPU, descriptors), start-up over a store of
// 1000 tasks in every state, the tail of a 1 GiB log, and the kill of a tree that ignores SIGTERM
// (`bgbash ls` over 1000 tasks is in startup.ts). Each against a floor measured in the same run
// where one fits.
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { openTaskManager, type TaskManager } from '../src/index.js'
import type { Row } from './engine.js'
import type { ManagerFigures } from './scale-manager.js'
import { FD_SLACK, killStoreLeftovers } from './scale-procs.js'
import { buildMixedStore } from './scale-store.js'
import { type Summary, summarize } from './stats.js'

/** SPEC §10: a manager with 1000 running tasks stays under this. */
const MAX_RSS_MIB = 120
/** SPEC §10 says ~0 % CPU while nothing happens; this is what "~" allows. */
const MAX_IDLE_CPU_PCT = 0.5
/** SPEC §10: start-up with 1000 tasks in the store. */
const MAX_STARTUP_MS = 300
/** SPEC §10: reading the tail of a 1 GiB log. */
const MAX_TAIL_MS = 5
/** Grace given to the TERM-ignoring tree: the kill cannot end before it. */
const TRAP_GRACE_MS = 100
/** 100 kills at once, while 1000 tasks run (the ownership issue's target): their looks are shared. */
const MAX_KILL_BATCH_MS = 1000
/** What a kill may add to its grace: the polite-tree target (SPEC §10). */
const MAX_KILL_OVERHEAD_MS = 20

export interface ScaleOptions {
  quick: boolean
  /** Samples per latency. */
  runs: number
}

interface Sizes {
  concurrent: number
  idleMs: number
  /** Kills timed one by one while the others run. */
  killSample: number
  /**
   * Kills timed at once. Kills running together share their scans of /proc (ProcessSnapshot.since),
   * so a batch costs a few scans, not three per kill.
   */
  killBatch: number
  storeTasks: number
  opens: number
  logBytes: number
  trapKills: number
}

function sizesFor({ quick, runs }: ScaleOptions): Sizes {
  return quick
    ? {
        concurrent: 100,
        idleMs: 3000,
        killSample: 5,
        killBatch: 10,
        storeTasks: 100,
        opens: 5,
        logBytes: 256 * 2 ** 20,
        trapKills: 3,
      }
    : {
        concurrent: 1000,
        idleMs: 10_000,
        killSample: 25,
        killBatch: 100,
        storeTasks: 1000,
        opens: 20,
        logBytes: 2 ** 30,
        trapKills: Math.max(5, Math.floor(runs / 6)),
      }
}

function tempHome(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'bgbash-scale-'))
}

function one(x: number): Summary {
  return summarize([x])
}

function makeRow(
  name: string,
  unit: string,
  bgbash: Summary,
  target: string,
  extra: { floor?: Summary; pass?: boolean } = {},
): Row {
  const { floor, pass } = extra
  const ratio = floor && floor.p50 > 0 ? Math.round((bgbash.p50 / floor.p50) * 100) / 100 : undefined
  return { name, unit, bgbash, floor, target, ratio, pass }
}

function formatBytes(bytes: number): string {
  return bytes >= 2 ** 30 ? `${bytes / 2 ** 30} GiB` : `${bytes / 2 ** 20} MiB`
}

/** Runs `bench/scale-manager` in its own process, so its figures are the manager's alone. */
function runManagerChild(home: string, sizes: Sizes): Promise<ManagerFigures> {
  const here = fileURLToPath(import.meta.url)
  const isTs = here.endsWith('.ts')
  const script = path.join(path.dirname(here), `scale-manager.${isTs ? 'ts' : 'js'}`)
  const { concurrent, idleMs, killSample, killBatch } = sizes
  const numbers = [concurrent, idleMs, killSample, killBatch].map(String)
  const args = [...(isTs ? ['--import', 'tsx'] : []), script, home, ...numbers]
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] })
    let out = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk
    })
    // Bound: spawning, two idle windows and the kills; far more than they take.
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000 + 2 * idleMs)
    child.on('error', reject)
    child.on('exit', (code, signal) => {
      clearTimeout(timer)
      if (code !== 0) reject(new Error(`scale-manager ended with ${code ?? signal}`))
      else resolve(JSON.parse(out) as ManagerFigures)
    })
  })
}

async function benchConcurrent(sizes: Sizes): Promise<Row[]> {
  const home = tempHome()
  try {
    const f = await runManagerChild(home, sizes)
    const n = f.count
    const idleS = sizes.idleMs / 1000
    const fdTarget = `no fd per task (≤ before + ${FD_SLACK})`
    const isFdsFlat = (fds: number) => fds <= f.fdsBefore + FD_SLACK
    const cpuTarget = `~0 % (≤ ${MAX_IDLE_CPU_PCT})`
    const killOne = summarize(f.killOneMs)
    // Spawns while few tasks run are the floor of spawns while nearly all of them run.
    const tenth = Math.max(1, Math.floor(n / 10))
    const firstSpawns = summarize(f.spawnMs.slice(0, tenth))
    const lastSpawns = summarize(f.spawnMs.slice(-tenth))
    if (f.leftovers > 0) console.error(`scale: ${f.leftovers} task processes outlived their kill`)
    if (!isFdsFlat(f.fdsAfter)) console.error(`scale: descriptors left: ${JSON.stringify(f.fdKindsAfter)}`)
    return [
      makeRow(
        `spawn → reply, ${n - tenth}–${n} tasks already running`,
        'ms',
        lastSpawns,
        '≤ 2× the first 10 %',
        {
          floor: firstSpawns,
          pass: lastSpawns.p50 <= 2 * firstSpawns.p50,
        },
      ),
      makeRow(
        `manager RSS, ${n} sleeping tasks owned (MiB)`,
        'MiB',
        one(f.rssOwnedMiB),
        `< ${MAX_RSS_MIB} MiB`,
        {
          floor: one(f.rssEmptyMiB),
          pass: f.rssOwnedMiB < MAX_RSS_MIB,
        },
      ),
      makeRow(
        `manager RSS, ${n} sleeping tasks adopted (MiB)`,
        'MiB',
        one(f.rssAdoptedMiB),
        `< ${MAX_RSS_MIB} MiB`,
        {
          floor: one(f.rssEmptyMiB),
          pass: f.rssAdoptedMiB < MAX_RSS_MIB,
        },
      ),
      makeRow(`manager CPU idle ${idleS} s, ${n} owned tasks (%)`, '%', one(f.cpuOwnedPct), cpuTarget, {
        pass: f.cpuOwnedPct <= MAX_IDLE_CPU_PCT,
      }),
      makeRow(`manager CPU idle ${idleS} s, ${n} adopted tasks (%)`, '%', one(f.cpuAdoptedPct), cpuTarget, {
        pass: f.cpuAdoptedPct <= MAX_IDLE_CPU_PCT,
      }),
      makeRow(`manager open fds, ${n} owned tasks running`, 'fds', one(f.fdsOwned), fdTarget, {
        floor: one(f.fdsBefore),
        pass: isFdsFlat(f.fdsOwned),
      }),
      makeRow(`manager open fds, ${n} adopted tasks running`, 'fds', one(f.fdsAdopted), fdTarget, {
        floor: one(f.fdsBefore),
        pass: isFdsFlat(f.fdsAdopted),
      }),
      makeRow(`manager open fds, peak while all ${n} end`, 'fds', one(f.fdsPeak), fdTarget, {
        floor: one(f.fdsBefore),
        pass: isFdsFlat(f.fdsPeak),
      }),
      makeRow(`manager fds back to start after the last end`, 'ms', one(f.fdsDrainMs), 'informative'),
      makeRow(`manager open fds, after all ${n} ended`, 'fds', one(f.fdsAfter), fdTarget, {
        floor: one(f.fdsBefore),
        pass: isFdsFlat(f.fdsAfter),
      }),
      makeRow(
        `start-up over ${n} running tasks (adopts all)`,
        'ms',
        one(f.adoptOpenMs),
        `≤ ${MAX_STARTUP_MS} ms`,
        {
          pass: f.adoptOpenMs <= MAX_STARTUP_MS,
        },
      ),
      makeRow(
        `kill of one task while up to ${n} run`,
        'ms',
        killOne,
        `≤ ${MAX_KILL_OVERHEAD_MS} ms (polite tree)`,
        {
          pass: killOne.p50 <= MAX_KILL_OVERHEAD_MS,
        },
      ),
      makeRow(
        `kill of ${f.killBatch} tasks at once, ${n} running (total)`,
        'ms',
        one(f.killBatchMs),
        `≤ ${MAX_KILL_BATCH_MS} ms for 100 (close({killRunning}))`,
        { pass: f.killBatch < 100 || f.killBatchMs <= MAX_KILL_BATCH_MS },
      ),
      makeRow(
        `${f.crashed} adopted tasks crash at once → all ended (total)`,
        'ms',
        one(f.crashEndMs),
        'informative',
      ),
    ]
  } finally {
    await killStoreLeftovers(home)
    fs.rmSync(home, { recursive: true, force: true })
  }
}

/** openTaskManager → resolved, then closed (tasks left running), `times` times. */
async function timeOpens(home: string, sessionId: string, times: number): Promise<number[]> {
  const samples: number[] = []
  for (let i = 0; i < times; i++) {
    const t0 = performance.now()
    const tm = await openTaskManager({ home, sessionId, backgroundGc: false })
    samples.push(performance.now() - t0)
    await tm.close()
  }
  return samples
}

async function benchStore(sizes: Sizes): Promise<Row[]> {
  const home = tempHome()
  const emptyHome = tempHome()
  const sessionId = 'scale-store'
  const total = sizes.storeTasks
  try {
    const counts = await buildMixedStore(home, sessionId, total)
    const mix = `${counts.running} running, ${counts.lost} lost`
    const emptyOpens = summarize(await timeOpens(emptyHome, 'empty', sizes.opens))
    const [first = Number.NaN] = await timeOpens(home, sessionId, 1)
    const opens = summarize(await timeOpens(home, sessionId, sizes.opens))
    return [
      makeRow(
        `start-up over ${total} mixed tasks, first (finds ${mix})`,
        'ms',
        one(first),
        `≤ ${MAX_STARTUP_MS} ms`,
        { floor: emptyOpens, pass: first <= MAX_STARTUP_MS },
      ),
      makeRow(
        `start-up over ${total} mixed tasks (adopts ${counts.running})`,
        'ms',
        opens,
        `≤ ${MAX_STARTUP_MS} ms`,
        { floor: emptyOpens, pass: opens.p50 <= MAX_STARTUP_MS },
      ),
    ]
  } finally {
    await killStoreLeftovers(home)
    fs.rmSync(home, { recursive: true, force: true })
    fs.rmSync(emptyHome, { recursive: true, force: true })
  }
}

/** The floor: what reading the last 64 KiB of the file costs (open, one read, close). */
function readLastBlock(file: string): void {
  const fd = fs.openSync(file, 'r')
  try {
    const size = fs.fstatSync(fd).size
    const length = Math.min(size, 64 * 1024)
    fs.readSync(fd, Buffer.allocUnsafe(length), 0, length, size - length)
  } finally {
    fs.closeSync(fd)
  }
}

async function benchTail(sizes: Sizes, runs: number): Promise<Row[]> {
  const home = tempHome()
  const logBytes = sizes.logBytes
  let tm: TaskManager | undefined
  try {
    // The cap would trim the log while it grows: lift it above the size written.
    tm = await openTaskManager({
      home,
      sessionId: 'scale-tail',
      backgroundGc: false,
      outputCapBytes: 2 * logBytes,
    })
    const line = 'bgbash scale bench: a log line of a chatty build, 0123456789 abcdefghijklmnopqrstuvwxyz'
    const { taskId } = await tm.spawn({ command: `yes '${line}' | head -c ${logBytes}`, notify: false })
    const [ended] = await tm.wait([taskId], { timeoutMs: 120_000 })
    if (ended?.status !== 'completed' || ended.outputBytes !== logBytes)
      throw new Error(`log task ended ${ended?.status} with ${ended?.outputBytes} bytes, not ${logBytes}`)
    const file = logPathOf(home, taskId)
    const readMs: number[] = []
    const floorMs: number[] = []
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now()
      const window = await tm.read(taskId, { tailLines: 50 })
      readMs.push(performance.now() - t0)
      if (window.text.split('\n').filter(Boolean).length !== 50)
        throw new Error('tail did not return 50 lines')
      const f0 = performance.now()
      readLastBlock(file)
      floorMs.push(performance.now() - f0)
    }
    const read = summarize(readMs)
    return [
      makeRow(
        `tail 50 lines of a ${formatBytes(logBytes)} log${logBytes < 2 ** 30 ? ' (quick; target is for 1 GiB)' : ''}`,
        'ms',
        read,
        `≤ ${MAX_TAIL_MS} ms`,
        { floor: summarize(floorMs), pass: read.p50 <= MAX_TAIL_MS },
      ),
    ]
  } finally {
    await tm?.close({ killRunning: true })
    await killStoreLeftovers(home)
    fs.rmSync(home, { recursive: true, force: true })
  }
}

/** The task's output.log, found by id (the store layout of SPEC §3). */
function logPathOf(home: string, taskId: string): string {
  const sessions = path.join(home, 'sessions')
  for (const session of fs.readdirSync(sessions)) {
    const dir = path.join(sessions, session, taskId)
    if (fs.existsSync(dir)) return path.join(dir, 'output.log')
  }
  throw new Error(`task directory of ${taskId} not found`)
}

async function benchTrapKill(sizes: Sizes, _runs: number): Promise<Row[]> {
  const home = tempHome()
  let tm: TaskManager | undefined
  try {
    tm = await openTaskManager({ home, sessionId: 'scale-trap', backgroundGc: false })
    const killMs: number[] = []
    for (let i = 0; i < sizes.trapKills; i++) {
      // An ignored signal stays ignored across fork and exec: all three processes ignore SIGTERM.
      const { taskId } = await tm.spawn({ command: `trap '' TERM; sleep 30 & sleep 30 & echo up; wait` })
      await tm.waitFor([taskId], { until: /up/, timeoutMs: 5000 })
      const t0 = performance.now()
      const record = await tm.kill(taskId, { graceMs: TRAP_GRACE_MS })
      killMs.push(performance.now() - t0)
      if (record.status !== 'killed' || record.signal !== 'SIGKILL')
        throw new Error(`TERM-ignoring tree ended ${record.status} by ${record.signal}`)
    }
    const kill = summarize(killMs)
    return [
      makeRow(
        `kill of a tree ignoring TERM (3 processes, grace ${TRAP_GRACE_MS} ms)`,
        'ms',
        kill,
        `≤ grace + ${MAX_KILL_OVERHEAD_MS} ms`,
        { pass: kill.p50 <= TRAP_GRACE_MS + MAX_KILL_OVERHEAD_MS },
      ),
    ]
  } finally {
    await tm?.close({ killRunning: true })
    await killStoreLeftovers(home)
    fs.rmSync(home, { recursive: true, force: true })
  }
}

/**
 * Every scale measure; each section cleans up its store and processes even when it fails.
 * SCALE_TRACE=1 prints each section's wall time on stderr (to keep `--quick` under a minute).
 */
export async function benchScale(options: ScaleOptions): Promise<Row[]> {
  const sizes = sizesFor(options)
  const rows: Row[] = []
  for (const section of [benchConcurrent, benchStore, benchTail, benchTrapKill]) {
    const t0 = Date.now()
    rows.push(...(await section(sizes, options.runs)))
    if (process.env.SCALE_TRACE) console.error(`${section.name}: ${Date.now() - t0} ms`)
  }
  return rows
}
