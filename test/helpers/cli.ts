import { spawn } from 'node:child_process'
import path from 'node:path'
import { PassThrough, Writable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import { main } from '../../src/cli/main.js'

/** The built binary (`npm test` builds first), run as a person would run it. */
export const BGBASH_BIN = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'dist',
  'bin',
  'bgbash.js',
)

export interface CliRun {
  code: number
  stdout: string
  stderr: string
}

export interface InProcessOptions {
  home: string
  cwd: string
  env?: NodeJS.ProcessEnv
  /** Pretend stdout (and stderr) is a terminal this wide. */
  tty?: { columns: number }
  signal?: AbortSignal
  /** Sees stdout as it is written, for commands that run until interrupted. */
  onStdout?: (text: string) => void
}

class Capture extends Writable {
  text = ''
  onText: ((text: string) => void) | undefined
  isTTY: boolean | undefined
  columns: number | undefined
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString()
    this.onText?.(chunk.toString())
    done()
  }
}

/** Calls `main()` in this process with captured streams. */
export async function runInProcess(args: string[], options: InProcessOptions): Promise<CliRun> {
  const stdout = new Capture()
  const stderr = new Capture()
  stdout.onText = options.onStdout
  if (options.tty) {
    stdout.isTTY = true
    stdout.columns = options.tty.columns
    stderr.isTTY = true
  }
  const code = await main(args, {
    stdin: new PassThrough(),
    stdout,
    stderr,
    env: { BGBASH_HOME: options.home, ...options.env },
    cwd: options.cwd,
    signal: options.signal,
  })
  return { code, stdout: stdout.text, stderr: stderr.text }
}

/** Runs the built `bgbash` binary to its end. */
export function runBinary(
  args: string[],
  options: { home: string; cwd: string; env?: NodeJS.ProcessEnv },
): Promise<CliRun & { signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BGBASH_BIN, ...args], {
      cwd: options.cwd,
      env: { ...process.env, NO_COLOR: '1', ...options.env, BGBASH_HOME: options.home },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString()
    })
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString()
    })
    child.on('error', reject)
    child.on('close', (code, signal) => resolve({ code: code ?? -1, stdout, stderr, signal }))
  })
}
