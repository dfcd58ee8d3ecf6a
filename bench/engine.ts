import { spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { DEFAULT_OUTPUT_CAP_BYTES } from '../src/constants.js'
import { type Completion, openTaskManager, type TaskManager } from '../src/index.js'
import { resolveShell } from '../src/proc/shell.js'
import { spawnWrapper } from '../src/proc/spawn.js'
import { type Summary, summarize } from './stats.js'

export interface Row {
  name: string
  unit: string
  bgbash: Summary
  floor?: Summary
  target: string
  /** bgbash p50 / floor p50, when there is a floor. */
  ratio?: number
  pass?: boolean
}

function tempHome(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'bgbash-bench-'))
}

/** Time of the shell's last act, in epoch ms with µs precision (the task prints it to a file). */
function readMark(file: string): number {
  return Number(fs.readFileSync(file, 'utf8').trim()) / 1e6
}

function nextCompletion(tm: TaskManager, taskId: string): Promise<number> {
  return new Promise((resolve) => {
    const on = (completion: Completion) => {
      if (completion.taskId !== taskId) return
      tm.off('completion', on)
      resolve(Date.now())
    }
    tm.on('completion', on)
  })
}

/** The raw Node floor: a bare detached spawn of the same shell line, and its exit event. */
async function measureFloor(runs: number, mark: string): Promise<{ spawn: Summary; exit: Summary }> {
  const spawnMs: number[] = []
  const exitMs: number[] = []
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now()
    const child = spawn('/bin/sh', ['-c', `/usr/bin/env bash -c 'date +%s%N > ${mark}'`], {
      detached: true,
      stdio: 'ignore',
    })
    spawnMs.push(performance.now() - t0)
    const exitedAt = await new Promise<number>((resolve) => child.on('exit', () => resolve(Date.now())))
    exitMs.push(exitedAt - readMark(mark))
  }
  return { spawn: summarize(spawnMs), exit: summarize(exitMs) }
}

/**
 * What creating one file costs on this disk right now (mkdir + a new file, as a task directory
 * needs): a spawn creates two before it replies, so this explains much of a slow spawn reply.
 */
function measureFileCreation(home: string, runs: number): Summary {
  const samples: number[] = []
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now()
    fs.mkdirSync(path.join(home, `probe-${i}`))
    fs.writeFileSync(path.join(home, `probe-${i}`, 'f'), 'x')
    samples.push((performance.now() - t0) / 2)
  }
  return summarize(samples)
}

export async function benchEngine(runs: number): Promise<Row[]> {
  const home = tempHome()
  const mark = path.join(home, 'mark')
  const rows: Row[] = []
  try {
    rows.push({
      name: `baseline: create one file in ${os.tmpdir()}`,
      unit: 'ms',
      bgbash: measureFileCreation(home, runs),
      target: 'the disk, not bgbash',
    })
    const floor = await measureFloor(runs, mark)
    const tm = await openTaskManager({ home, sessionId: 'bench', backgroundGc: false, maxRunning: 2000 })
    const { spawnMs, completionMs } = await measureSpawns(tm, runs, mark)
    rows.push(row('spawn → reply (library)', 'ms', summarize(spawnMs), floor.spawn, '≤ 2× floor', 2))
    rows.push(
      row(
        'exit → completion, owned task',
        'ms',
        summarize(completionMs),
        floor.exit,
        'p50 ≤ 5 ms (aim 2)',
        undefined,
        5,
      ),
    )

    const burst = Math.min(200, runs * 4)
    // Each burst waits until its processes have exited, so none runs beside the next one.
    const burstFloor = summarize([await measureBurstFloor(burst)])
    const wrappersOnly = summarize([await measureWrapperBurst(burst)])
    rows.push(
      row(
        `${burst} spawns back to back (total)`,
        'ms',
        summarize([await measureBurst(tm, burst)]),
        burstFloor,
        // Restated by the ownership issue: 600 ms for 200 is below what this 2-core VM's bare
        // wrappers alone take (660–1075 ms), so the target is a ratio to the floor of the same run.
        '≤ 2× burst floor',
        2,
      ),
      row(
        `${burst} bare wrappers back to back, no store (total)`,
        'ms',
        wrappersOnly,
        burstFloor,
        "informative: the task's own processes",
      ),
    )
    const killMs: number[] = []
    for (let i = 0; i < Math.max(5, Math.floor(runs / 5)); i++) {
      const { taskId } = await tm.spawn({ command: 'sleep 30 & sleep 30 & echo up; wait' })
      await tm.waitFor([taskId], { until: /up/, timeoutMs: 5000 })
      const k0 = performance.now()
      await tm.kill(taskId)
      killMs.push(performance.now() - k0)
    }
    rows.push(
      row(
        'kill of a polite tree (3 processes)',
        'ms',
        summarize(killMs),
        undefined,
        '≤ 20 ms',
        undefined,
        20,
      ),
    )
    await tm.close()

    // Adopted: a task started by a manager that closed; a new manager watches its files.
    const adoptedMs: number[] = []
    for (let i = 0; i < Math.max(10, Math.floor(runs / 2)); i++) {
      const gate = path.join(home, `gate-${i}`)
      const starter = await openTaskManager({ home, sessionId: 'bench-adopt', backgroundGc: false })
      const { taskId } = await starter.spawn({
        command: `while [ ! -e ${gate} ]; do sleep 0.005; done; date +%s%N > ${mark}`,
      })
      await starter.close()
      const adopter = await openTaskManager({ home, sessionId: 'bench-adopt', backgroundGc: false })
      const noticed = nextCompletion(adopter, taskId)
      fs.writeFileSync(gate, '')
      adoptedMs.push((await noticed) - readMark(mark))
      await adopter.close()
    }
    rows.push(
      row(
        'exit → completion, adopted task',
        'ms',
        summarize(adoptedMs),
        floor.exit,
        'p50 ≤ 5 ms',
        undefined,
        5,
      ),
    )
    rows.push(...(await benchOnTmpfs(runs, burst, floor.spawn)))
  } finally {
    fs.rmSync(home, { recursive: true, force: true })
  }
  return rows
}

/**
 * Spawns tasks one at a time, each printing the time of its shell's last act to `mark`: the time
 * to each spawn's reply, and from each exit to its completion event.
 */
async function measureSpawns(
  tm: TaskManager,
  runs: number,
  mark: string,
): Promise<{ spawnMs: number[]; completionMs: number[] }> {
  const spawnMs: number[] = []
  const completionMs: number[] = []
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now()
    const record = await tm.spawn({ command: `date +%s%N > ${mark}` })
    spawnMs.push(performance.now() - t0)
    const noticedAt = await nextCompletion(tm, record.taskId)
    completionMs.push(noticedAt - readMark(mark))
  }
  return { spawnMs, completionMs }
}

/** Spawns `count` tasks one after the other; the time until the last reply. */
async function measureBurst(tm: TaskManager, count: number): Promise<number> {
  const t0 = performance.now()
  const ids: string[] = []
  for (let i = 0; i < count; i++) ids.push((await tm.spawn({ command: 'true', notify: false })).taskId)
  const ms = performance.now() - t0
  await tm.wait(ids)
  return ms
}

/** The burst's floor: as many bare detached spawns of sh starting bash for `true`, back to back. */
async function measureBurstFloor(count: number): Promise<number> {
  const t0 = performance.now()
  const exits: Promise<unknown>[] = []
  for (let i = 0; i < count; i++) {
    const child = spawn('/bin/sh', ['-c', 'bash -c true'], { detached: true, stdio: 'ignore' })
    exits.push(new Promise((resolve) => child.on('exit', resolve)))
  }
  const ms = performance.now() - t0
  await Promise.all(exits)
  return ms
}

/**
 * The burst's second floor: as many bare wrappers of `true` started straight from Node, into
 * directories made beforehand: no store records, no validation, no watching. What a task's own
 * processes (the wrapper, the command's shell, the relay and its `dd`) cost on this machine,
 * which no work of the manager's can take away.
 */
async function measureWrapperBurst(count: number): Promise<number> {
  const base = tempHome()
  try {
    const dirs = Array.from({ length: count }, (_, i) => {
      const dir = path.join(base, String(i))
      fs.mkdirSync(dir)
      return dir
    })
    const shellPath = resolveShell(undefined)
    const t0 = performance.now()
    const exits = dirs.map((dir) => {
      const child = spawnWrapper({
        shellPath,
        command: 'true',
        cwd: dir,
        env: { ...process.env, BGBASH_TASK_ID: 'bgb-bench000' },
        logPath: path.join(dir, 'output.log'),
        exitPath: path.join(dir, 'exit'),
        droppedPath: path.join(dir, 'dropped.json'),
        capBytes: DEFAULT_OUTPUT_CAP_BYTES,
        startedAt: Date.now(),
      })
      return new Promise((resolve) => child.on('exit', resolve))
    })
    const ms = performance.now() - t0
    await Promise.all(exits)
    return ms
  } finally {
    fs.rmSync(base, { recursive: true, force: true })
  }
}

/**
 * The same spawn measures with the store in memory (/dev/shm), where creating a file costs
 * microseconds: what is left is bgbash's own share. A spawn creates two files before it
 * replies (the task directory, task.json) and a task six in all.
 */
async function benchOnTmpfs(runs: number, burst: number, spawnFloor: Summary): Promise<Row[]> {
  if (!fs.existsSync('/dev/shm')) return []
  const home = fs.mkdtempSync(path.join('/dev/shm', 'bgbash-bench-'))
  try {
    const tm = await openTaskManager({
      home,
      sessionId: 'bench-tmpfs',
      backgroundGc: false,
      maxRunning: 2000,
    })
    const { spawnMs } = await measureSpawns(tm, runs, path.join(home, 'mark'))
    const rows = [
      row(
        'spawn → reply, store in /dev/shm',
        'ms',
        summarize(spawnMs),
        spawnFloor,
        'informative: without the disk',
      ),
      row(
        `${burst} spawns back to back, store in /dev/shm (total)`,
        'ms',
        summarize([await measureBurst(tm, burst)]),
        undefined,
        'informative: without the disk',
      ),
    ]
    await tm.close()
    return rows
  } finally {
    fs.rmSync(home, { recursive: true, force: true })
  }
}

function row(
  name: string,
  unit: string,
  bgbash: Summary,
  floor: Summary | undefined,
  target: string,
  maxRatio?: number,
  maxP50?: number,
): Row {
  const ratio = floor && floor.p50 > 0 ? Math.round((bgbash.p50 / floor.p50) * 100) / 100 : undefined
  let pass: boolean | undefined
  if (maxRatio !== undefined && ratio !== undefined) pass = ratio <= maxRatio
  if (maxP50 !== undefined) pass = bgbash.p50 <= maxP50
  return { name, unit, bgbash, floor, target, ratio, pass }
}
