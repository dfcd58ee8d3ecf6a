import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { type TestContext, test } from 'node:test'
import { BgbashError, type Completion, openTaskManager, type TaskManager } from '../../src/index.js'
import { isAlive, killStoreProcesses } from '../helpers/pids.js'
import { pollUntil } from '../helpers/wait.js'
import { bySize, Scenario } from './chaos.js'

// The store stops taking writes while tasks run: a full disk (a small tmpfs mounted as the store,
// filled to the last page) or a read-only store (a read-only bind mount laid over it; the tasks'
// own files were opened before, through the writable mount below, as a remount would leave them).
// Spawning must fail with a clear storage_failed, the running tasks must go on unharmed, and their
// ends must be recorded (and delivered once) as soon as the store takes writes again.
// Needs mount(2): root in this container has it. Where it is refused the test skips and says why.

type Variant = 'disk full' | 'read-only'

interface Mounted {
  home: string
  /** Run (last added first) before the mounts go: close managers, kill tasks, close files. */
  cleanups: Array<() => void | Promise<void>>
  scratch: string
  /** Makes the store refuse writes. */
  break(): void
  /** Lets the store take writes again. */
  repair(): void
}

function run(command: string, args: string[]): void {
  execFileSync(command, args, { stdio: ['ignore', 'ignore', 'pipe'] })
}

/** A private base directory with the store on its own mount; undefined (with why) when mounting is refused. */
function mountStore(t: TestContext, variant: Variant): Mounted | string {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'bgbash-chaos-storage-'))
  const home = path.join(base, 'store')
  const scratch = path.join(base, 'scratch')
  fs.mkdirSync(home)
  fs.mkdirSync(scratch)
  const mounts: string[] = []
  const filler = path.join(home, 'filler')
  const cleanups: Mounted['cleanups'] = []
  t.after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup()
    for (const target of mounts.reverse()) {
      try {
        run('umount', [target])
      } catch {
        // Still busy (a task holds a file there): detach it now, the kernel frees it when they close.
        run('umount', ['-l', target])
      }
    }
    fs.rmSync(base, { recursive: true, force: true })
  })
  try {
    if (variant === 'disk full') {
      run('mount', ['-t', 'tmpfs', '-o', 'size=4m,mode=0700', 'bgbash-chaos', home])
      mounts.push(home)
      return {
        home,
        cleanups,
        scratch,
        break: () => fillDisk(filler),
        repair: () => fs.rmSync(filler, { force: true }),
      }
    }
    return {
      home,
      cleanups,
      scratch,
      break: () => {
        run('mount', ['--bind', home, home])
        mounts.push(home)
        run('mount', ['-o', 'remount,bind,ro', home])
      },
      repair: () => {
        // Lazy: a manager reading a record right now would make a plain umount fail as busy; new
        // opens reach the writable store at once either way.
        run('umount', ['-l', home])
        mounts.pop()
      },
    }
  } catch (error) {
    const stderr = String((error as { stderr?: Buffer }).stderr ?? error).trim()
    return `mount refused here (${stderr}); needs root with CAP_SYS_ADMIN (docker --privileged or --cap-add SYS_ADMIN)`
  }
}

/** Writes until the file system says ENOSPC, down to single bytes, so not one page is left. */
function fillDisk(file: string): void {
  const fd = fs.openSync(file, 'a')
  try {
    for (const size of [1 << 20, 1 << 16, 4096, 1]) {
      const chunk = Buffer.alloc(size, 0x61)
      for (;;) {
        try {
          fs.writeSync(fd, chunk)
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'ENOSPC') break
          throw error
        }
      }
    }
  } finally {
    fs.closeSync(fd)
  }
}

interface Options {
  taskCount: number
  rounds: number
  name: string
}

async function storageScenario(t: TestContext, variant: Variant, options: Options): Promise<void> {
  const { taskCount, rounds } = options
  const scenario = new Scenario(t, options.name)
  const mounted = mountStore(t, variant)
  if (typeof mounted === 'string') {
    // Like the tmux test: the scenario needs the machine to allow it, and says so rather than skip.
    scenario.figure = `not run: ${mounted}`
    assert.fail(`the storage scenarios need mount: ${mounted}`)
  }
  const { home, scratch } = mounted
  const managers: TaskManager[] = []
  mounted.cleanups.push(async () => {
    for (const tm of managers) await tm.close()
    await killStoreProcesses(home)
  })
  // Tasks block on one line each from this FIFO (outside the store), held open by the test.
  const fifo = path.join(scratch, 'gate')
  run('mkfifo', [fifo])
  const gate = fs.openSync(fifo, fs.constants.O_RDWR)
  mounted.cleanups.push(() => fs.closeSync(gate))
  // The engine says through its logger when the store refused a task's end (it retries on its sweep).
  const refusedEnds = new Set<string>()
  const logger = {
    warn: (message: string, data?: Record<string, unknown>) => {
      if (/could not record the end/.test(message)) refusedEnds.add(String(data?.taskId))
    },
  }
  const tm = await openTaskManager({
    home,
    sessionId: 'chaos-storage',
    projectRoot: scratch,
    backgroundGc: false,
    maxRunning: 500,
    logger,
  })
  managers.push(tm)
  const completions = new Map<string, Completion[]>()
  tm.on('completion', (completion) => {
    completions.set(completion.taskId, [...(completions.get(completion.taskId) ?? []), completion])
  })
  let refusedSpawns = 0
  let lastRefusal = ''
  let worstRecordMs = 0
  let leakedTemps = 0
  for (let round = 0; round < rounds; round++) {
    await scenario.run(async () => {
      const codes = Array.from({ length: taskCount }, (_, i) => (i * 37 + round) % 90)
      const records = await Promise.all(
        codes.map((code) => tm.spawn({ command: `echo started; read -r l < '${fifo}'; exit ${code}` })),
      )
      const ids = records.map((record) => record.taskId)
      // Each wrapper has opened its log once its first line is in it.
      await pollUntil(
        () =>
          records.filter((r) => sizeOf(path.join(home, 'sessions', dirOf(home), r.taskId, 'output.log')) > 0)
            .length,
        (n) => n === taskCount,
        { timeoutMs: 20_000, what: `${taskCount} tasks to start` },
      )
      const dirsBefore = fs.readdirSync(path.join(home, 'sessions', dirOf(home))).sort()
      mounted.break()
      try {
        // Spawning now fails with a clear error and leaves nothing behind.
        for (let attempt = 0; attempt < 3; attempt++) {
          await assert.rejects(tm.spawn({ command: 'echo never' }), (error: unknown) => {
            assert.ok(error instanceof BgbashError, String(error))
            assert.equal(error.code, 'storage_failed', error.message)
            assert.match(
              error.message,
              /^Storage failed: could not .+\(E(NOSPC|ROFS)\)\. Check that the store is writable/,
            )
            lastRefusal = error.message
            return true
          })
          refusedSpawns++
        }
        // The tasks run on and end by themselves while the store refuses their records.
        const pids = records.map((r) => r.pid!)
        fs.writeSync(gate, '\n'.repeat(taskCount))
        await pollUntil(
          () => pids.filter(isAlive).length,
          (n) => n === 0,
          { timeoutMs: 20_000, what: 'the tasks to exit' },
        )
        // The manager has seen each exit and had its end record refused.
        await pollUntil(
          () => ids.filter((id) => refusedEnds.has(id)).length,
          (n) => n === taskCount,
          { timeoutMs: 20_000, what: `the store to refuse ${taskCount} end records` },
        )
        for (const id of ids) {
          assert.ok(
            !fs.existsSync(path.join(home, 'sessions', dirOf(home), id, 'end.json')),
            `${id}: no end yet`,
          )
          assert.ok(!completions.has(id), `${id}: nothing delivered yet`)
        }
        assert.deepEqual(
          fs.readdirSync(path.join(home, 'sessions', dirOf(home))).sort(),
          dirsBefore,
          'no task directory left by the refused spawns',
        )
      } finally {
        mounted.repair()
      }
      const repaired = performance.now()
      await pollUntil(
        () => ids.filter((id) => completions.has(id)).length,
        (n) => n === taskCount,
        { timeoutMs: 20_000, what: `${taskCount} completions after the store takes writes again` },
      )
      worstRecordMs = Math.max(worstRecordMs, performance.now() - repaired)
      const ended = await tm.wait(ids, { timeoutMs: 10_000 })
      for (const [i, record] of ended.entries()) {
        assert.equal(record.exitCode, codes[i], `${record.taskId} exit code`)
        assert.equal(record.status, codes[i] === 0 ? 'completed' : 'failed', `${record.taskId} status`)
        assert.equal(completions.get(record.taskId)!.length, 1, `${record.taskId}: one completion`)
        assert.equal(completions.get(record.taskId)![0]!.exitCode, codes[i])
        const names = fs.readdirSync(path.join(home, 'sessions', dirOf(home), record.taskId))
        const temps = names.filter((name) => name.endsWith('.tmp'))
        leakedTemps += temps.length
        assert.deepEqual(temps, [], `${record.taskId}: no temp file left (a refused write removes its own)`)
      }
      // And the store takes new tasks again.
      const after = await tm.spawn({ command: 'exit 5' })
      assert.equal((await tm.wait([after.taskId]))[0]!.exitCode, 5)
      await pollUntil(
        () => completions.has(after.taskId),
        (ok) => ok,
        { what: 'the completion of the task spawned after repair' },
      )
    })
  }
  const total = completions.size
  const duplicates = [...completions.values()].filter((list) => list.length > 1).length
  scenario.figure = `${refusedSpawns} spawns refused (“${lastRefusal.slice(0, 60)}…”), ${rounds * taskCount} tasks ended meanwhile, all recorded with their true codes ≤ ${(worstRecordMs / 1000).toFixed(1)} s after repair, ${total} completions, ${duplicates} duplicates; ${leakedTemps} temp files left in task directories`
}

function sizeOf(file: string): number {
  try {
    return fs.statSync(file).size
  } catch {
    return 0
  }
}

/** The one session directory of the store. */
function dirOf(home: string): string {
  const [only] = fs.readdirSync(path.join(home, 'sessions'))
  return only!
}

const REPAIRED: Record<Variant, string> = { 'disk full': 'the disk has room', 'read-only': 'it is writable' }

for (const variant of ['disk full', 'read-only'] as const) {
  test(`${variant}: spawn fails with storage_failed, running tasks go on, their ends are recorded once ${REPAIRED[variant]}`, async (t) => {
    const taskCount = bySize(6, 30)
    const rounds = bySize(1, 3)
    await storageScenario(t, variant, {
      taskCount,
      rounds,
      name: `storage: ${variant}, ${rounds} × ${taskCount} running tasks`,
    })
  })
}
