import { type ChildProcess, spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import readline from 'node:readline'
import { fileURLToPath } from 'node:url'

const BIN = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'bin', 'bgbash.js')

export type Frame = Record<string, any>

/** The built `bgbash ndjson` binary as a child process, spoken to line by line. */
export class NdjsonClient {
  readonly child: ChildProcess
  readonly frames: Frame[] = []
  private readonly waiting: Array<{ test: (frame: Frame) => boolean; resolve: (frame: Frame) => void }> = []
  private nextId = 1
  readonly exited: Promise<number | null>

  /**
   * Runs the engine in `cwd`: by default the scratch directory beside a test store's root
   * (useTestStore), the project the test's own managers use.
   */
  constructor(home: string, env: NodeJS.ProcessEnv = {}, cwd = path.join(path.dirname(home), 'scratch')) {
    this.child = spawn(process.execPath, [BIN, 'ndjson', '--home', home], {
      cwd: fs.existsSync(cwd) ? cwd : undefined,
      env: { ...process.env, ...env },
      stdio: ['pipe', 'pipe', 'inherit'],
    })
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)))
    readline.createInterface({ input: this.child.stdout! }).on('line', (line) => {
      const frame = JSON.parse(line) as Frame
      this.frames.push(frame)
      const at = this.waiting.findIndex((w) => w.test(frame))
      if (at >= 0) this.waiting.splice(at, 1)[0]!.resolve(frame)
    })
  }

  /** Sends a raw line (no newline added if `raw` already ends with one). */
  sendRaw(raw: string | Buffer): void {
    this.child.stdin!.write(raw)
  }

  /** Sends a request and resolves with its response. */
  request(command: string, params?: Frame, extra: Frame = {}): Promise<Frame> {
    const id = `r${this.nextId++}`
    const body: Frame = { id, command, ...extra }
    if (params !== undefined) body.params = params
    const response = this.waitFor((frame) => frame.id === id)
    this.sendRaw(`${JSON.stringify(body)}\n`)
    return response
  }

  /** Resolves with the first frame (already seen or still to come) that passes the test. */
  waitFor(test: (frame: Frame) => boolean): Promise<Frame> {
    const seen = this.frames.find(test)
    if (seen) return Promise.resolve(seen)
    return new Promise((resolve) => this.waiting.push({ test, resolve }))
  }

  /** Push frames of a type, so far. */
  pushed(type: string): Frame[] {
    return this.frames.filter((frame) => frame.type === type)
  }

  async close(): Promise<void> {
    this.child.stdin!.end()
    await this.exited
  }

  async kill(): Promise<void> {
    this.child.kill('SIGKILL')
    await this.exited
  }
}
