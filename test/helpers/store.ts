import { createHash } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { TestContext } from 'node:test'
import { openTaskManager, type TaskManager, type TaskManagerOptions } from '../../src/index.js'
import { killStoreProcesses } from './pids.js'
import { pollUntil } from './wait.js'

export interface TestStore {
  home: string
  /** A scratch directory for the test's own files (outside the store). */
  scratch: string
  open(options?: TaskManagerOptions): Promise<TaskManager>
}

/**
 * A private temporary store for one test. When the test ends, every manager it opened is closed,
 * every process any of its tasks started is killed, and the directory is removed.
 */
export async function useTestStore(t: TestContext): Promise<TestStore> {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'bgbash-test-'))
  const home = path.join(base, 'store')
  const scratch = path.join(base, 'scratch')
  fs.mkdirSync(scratch)
  const managers: TaskManager[] = []
  t.after(async () => {
    for (const manager of managers) await manager.close()
    await killStoreProcesses(home)
    fs.rmSync(base, { recursive: true, force: true })
  })
  return {
    home,
    scratch,
    async open(options = {}) {
      const manager = await openTaskManager({
        home,
        sessionId: 'test-session',
        // The project the CLI finds when a test runs it in `scratch`.
        projectRoot: scratch,
        backgroundGc: false,
        ...options,
      })
      managers.push(manager)
      return manager
    },
  }
}

/**
 * Every file and directory under a root with its mode and size, for "nothing changed" checks;
 * with `withContents`, also a hash of each file's bytes and each link's target; with `withTimes`,
 * each entry's modification time (a cheap stand-in for contents in a store of any size).
 */
export function snapshotTree(
  root: string,
  options: { withContents?: boolean; withTimes?: boolean } = {},
): string[] {
  const out: string[] = []
  const walk = (dir: string) => {
    let entries: fs.Dirent[]
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true })
    } catch {
      return
    }
    for (const entry of entries) {
      const full = path.join(dir, entry.name)
      const stat = fs.lstatSync(full)
      let line = `${path.relative(root, full)} ${(stat.mode & 0o7777).toString(8)} ${entry.isDirectory() ? '' : stat.size}`
      if (options.withTimes) line += ` ${stat.mtimeMs}`
      if (options.withContents && entry.isFile()) {
        line += ` ${createHash('sha256').update(fs.readFileSync(full)).digest('hex').slice(0, 16)}`
      } else if (options.withContents && entry.isSymbolicLink()) line += ` -> ${fs.readlinkSync(full)}`
      out.push(line)
      if (entry.isDirectory()) walk(full)
    }
  }
  walk(root)
  return out.sort()
}

/** Path of a task's directory in a store (the one session directory that holds it). */
export function taskDirOf(storeRoot: string, taskId: string): string {
  const sessions = path.join(storeRoot, 'sessions')
  for (const key of fs.readdirSync(sessions)) {
    const dir = path.join(sessions, key, taskId)
    if (fs.existsSync(dir)) return dir
  }
  throw new Error(`no directory for ${taskId} in ${storeRoot}`)
}

/**
 * Resolves once a task's end is recorded (its end.json), by whichever manager watches it, without
 * recording it here: a manager of the test's own that waited would record the end first, and a
 * server that owns the task would then learn of it only from a later file event, so its next
 * result might not carry the completion yet. Event-driven (a watch on the task's directory).
 */
export function waitEndRecorded(storeRoot: string, taskId: string, timeoutMs = 30_000): Promise<void> {
  const dir = taskDirOf(storeRoot, taskId)
  const file = path.join(dir, 'end.json')
  return new Promise<void>((resolve, reject) => {
    const watcher = fs.watch(dir, () => {
      if (fs.existsSync(file)) done()
    })
    const timer = setTimeout(
      () => done(new Error(`${taskId}: no end recorded within ${timeoutMs} ms`)),
      timeoutMs,
    )
    function done(error?: Error): void {
      watcher.close()
      clearTimeout(timer)
      if (error) reject(error)
      else resolve()
    }
    if (fs.existsSync(file)) done()
  })
}

/** A task's pid.json as its wrapper records it, a moment after it starts. */
export interface PidRecord {
  pid: number
  pgid: number
  start_time: number
  spawned_by: number
  started_at: number
}

/**
 * A task's pid.json, once its wrapper has written it: the wrapper records itself as it starts,
 * so right after a spawn the file may not be there yet.
 */
export function readPidRecord(taskDir: string): Promise<PidRecord> {
  const file = path.join(taskDir, 'pid.json')
  return pollUntil(
    () => {
      try {
        return JSON.parse(fs.readFileSync(file, 'utf8')) as PidRecord
      } catch {
        return undefined
      }
    },
    (record): record is PidRecord => record !== undefined,
    { what: `${path.basename(taskDir)} to record its pid` },
  ) as Promise<PidRecord>
}

/**
 * The project of a test store (useTestStore): its scratch directory beside the store root. A
 * manager or engine run in another process opens this project so it shares the test's tasks.
 */
export function projectOf(home: string): string {
  return path.join(path.dirname(home), 'scratch')
}
