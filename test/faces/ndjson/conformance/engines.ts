import { type ChildProcess, spawn } from 'node:child_process'
import fs from 'node:fs'
import { createRequire } from 'node:module'
import os from 'node:os'
import path from 'node:path'
import readline from 'node:readline'
import { fileURLToPath } from 'node:url'

// The two engines the conformance suite drives with the same requests: the real AFT 0.57.2
// binary and `bgbash ndjson`, each in temp directories of its own.

export type EngineKind = 'aft' | 'bgbash'
export type Frame = Record<string, any>

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..')
const BGBASH_BIN = path.join(ROOT, 'dist', 'bin', 'bgbash.js')

/** How long a reply or a frame may take before the scenario fails (a hang catch, not a sync). */
const WAIT_LIMIT_MS = 20_000
/** How long a closed engine may take to exit before it is killed. */
const CLOSE_LIMIT_MS = 10_000
/** The variable that marks every process an engine of one run starts, for the clean-up. */
export const RUN_MARKER = 'BGBASH_CONFORMANCE_RUN'

/** Where the pinned AFT binary is, or undefined when the devDependency is not installed. */
export function findAftBinary(): string | undefined {
  try {
    const require = createRequire(import.meta.url)
    const manifest = require.resolve('@cortexkit/aft-linux-x64/package.json')
    const binary = path.join(path.dirname(manifest), 'bin', 'aft')
    return fs.existsSync(binary) ? binary : undefined
  } catch {
    return undefined
  }
}

/** One engine's private directories: the project it serves, its storage, a home for its caches. */
export interface EngineDirs {
  kind: EngineKind
  base: string
  project: string
  storage: string
  home: string
}

export function makeDirs(kind: EngineKind): EngineDirs {
  // realpath: the engines report canonical paths, and /tmp may be a link.
  const base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), `bgbash-conf-${kind}-`)))
  const dirs = {
    kind,
    base,
    project: path.join(base, 'project'),
    storage: path.join(base, 'storage'),
    home: path.join(base, 'home'),
  }
  for (const dir of [dirs.project, dirs.storage, dirs.home]) fs.mkdirSync(dir)
  return dirs
}

/** The engine as a child process, spoken to one JSON line at a time. */
export class Engine {
  readonly dirs: EngineDirs
  readonly frames: Frame[] = []
  private readonly child: ChildProcess
  private readonly taken = new Set<Frame>()
  private readonly waiters: Array<{ test: (frame: Frame) => boolean; resolve: (frame: Frame) => void }> = []
  private nextId = 1
  private readonly exited: Promise<void>
  private stderr = ''

  constructor(dirs: EngineDirs, env: Record<string, string> = {}) {
    this.dirs = dirs
    const common = {
      ...process.env,
      HOME: dirs.home,
      XDG_CACHE_HOME: path.join(dirs.home, '.cache'),
      XDG_CONFIG_HOME: path.join(dirs.home, '.config'),
      XDG_DATA_HOME: path.join(dirs.home, '.local', 'share'),
      XDG_STATE_HOME: path.join(dirs.home, '.local', 'state'),
      [RUN_MARKER]: dirs.base,
      ...env,
    }
    if (dirs.kind === 'aft') {
      const binary = findAftBinary()
      if (!binary) throw new Error('the AFT binary (@cortexkit/aft-linux-x64) is not installed')
      this.child = spawn(binary, [], {
        cwd: dirs.project,
        env: {
          ...common,
          AFT_CACHE_DIR: path.join(dirs.home, 'aft-cache'),
          // AFT's own test hooks: no login-shell PATH probe (0.7 s a start), no project file watcher.
          AFT_TEST_RAW_PATH: '1',
          AFT_TEST_DISABLE_FILE_WATCHER: '1',
        },
        stdio: ['pipe', 'pipe', 'pipe'],
      })
    } else {
      this.child = spawn(process.execPath, [BGBASH_BIN, 'ndjson', '--home', dirs.storage], {
        cwd: dirs.project,
        env: common,
        stdio: ['pipe', 'pipe', 'pipe'],
      })
    }
    this.exited = new Promise((resolve) => this.child.once('exit', () => resolve()))
    this.child.stderr!.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-4000)
    })
    readline.createInterface({ input: this.child.stdout! }).on('line', (line) => {
      let frame: Frame
      try {
        frame = JSON.parse(line) as Frame
      } catch {
        frame = { unparsed: line }
      }
      this.frames.push(frame)
      const at = this.waiters.findIndex((w) => w.test(frame))
      if (at >= 0) this.waiters.splice(at, 1)[0]!.resolve(frame)
    })
  }

  get kind(): EngineKind {
    return this.dirs.kind
  }

  /** Sends a request; resolves with its reply. */
  request(command: string, params?: Frame, envelope: Frame = {}): Promise<Frame> {
    return this.send(command, params, envelope).reply
  }

  /** Sends a request without waiting: for a reply that is held while other requests go on. */
  send(command: string, params?: Frame, envelope: Frame = {}): { id: string; reply: Promise<Frame> } {
    const id = `q${this.nextId++}`
    const body: Frame = { id, command, ...envelope }
    if (params !== undefined) body.params = params
    const reply = this.waitFor((frame) => frame.id === id, `the reply to ${command} (${id})`)
    this.sendLine(JSON.stringify(body))
    return { id, reply }
  }

  sendLine(line: string): void {
    this.child.stdin!.write(`${line}\n`)
  }

  /** The first push frame not taken yet (seen already or still to come) that passes the test. */
  async nextPush(test: (frame: Frame) => boolean, what: string): Promise<Frame> {
    const pushTest = (frame: Frame) => frame.type !== undefined && !this.taken.has(frame) && test(frame)
    const frame = await this.waitFor(pushTest, what)
    this.taken.add(frame)
    return frame
  }

  /** Push frames not taken by `nextPush`, so far. */
  untakenPushes(test: (frame: Frame) => boolean = () => true): Frame[] {
    return this.frames.filter((frame) => frame.type !== undefined && !this.taken.has(frame) && test(frame))
  }

  /** Marks push frames as seen, so a later `nextPush` looks past them. */
  take(frames: Frame[]): void {
    for (const frame of frames) this.taken.add(frame)
  }

  private waitFor(test: (frame: Frame) => boolean, what: string): Promise<Frame> {
    const seen = this.frames.find(test)
    if (seen) return Promise.resolve(seen)
    return new Promise((resolve, reject) => {
      const waiter = {
        test,
        resolve: (frame: Frame) => {
          clearTimeout(timer)
          resolve(frame)
        },
      }
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1)
        const last = this.frames.slice(-5).map((f) => JSON.stringify(f).slice(0, 300))
        reject(
          new Error(
            `${this.kind}: no ${what} within ${WAIT_LIMIT_MS} ms; last frames:\n${last.join('\n')}\nstderr: ${this.stderr.slice(-800)}`,
          ),
        )
      }, WAIT_LIMIT_MS)
      this.waiters.push(waiter)
    })
  }

  /** Ends stdin (the engine's orderly shutdown) and waits for the process to exit. */
  async close(): Promise<void> {
    this.child.stdin!.end()
    const timer = setTimeout(() => this.child.kill('SIGKILL'), CLOSE_LIMIT_MS)
    await this.exited
    clearTimeout(timer)
  }

  /** SIGKILLs the engine process (its tasks keep running). */
  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL')
    await this.exited
  }
}

/** Pids of live processes that carry the run marker of these directories in their environment. */
function findMarkedProcesses(base: string): number[] {
  const wanted = `${RUN_MARKER}=${base}`
  const pids: number[] = []
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue
    try {
      if (fs.readFileSync(`/proc/${name}/environ`, 'latin1').split('\0').includes(wanted))
        pids.push(Number(name))
    } catch {
      // Gone, or not ours to read.
    }
  }
  return pids
}

/**
 * Kills every process an engine of these directories started (the engine, its tasks and whatever
 * they left running: all inherit the run marker), then removes the directories.
 */
export async function cleanUp(dirs: EngineDirs): Promise<void> {
  for (let round = 0; round < 50; round++) {
    const pids = findMarkedProcesses(dirs.base)
    if (pids.length === 0) break
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL')
      } catch {
        // Already gone.
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  fs.rmSync(dirs.base, { recursive: true, force: true })
}
