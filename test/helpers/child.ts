import { type ChildProcess, spawn } from 'node:child_process'
import path from 'node:path'
import readline from 'node:readline'
import { fileURLToPath } from 'node:url'

export const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures')

/** Runs a TypeScript fixture in its own Node process (through tsx). */
export function runFixture(name: string, args: string[], env: NodeJS.ProcessEnv = process.env): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', path.join(FIXTURES, name), ...args], {
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  })
}

/** Resolves with the first line a child prints on stdout; rejects if it exits first. */
export function readFirstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    const lines = readline.createInterface({ input: child.stdout! })
    lines.once('line', (line) => {
      lines.close()
      resolve(line)
    })
    child.once('exit', (code, signal) =>
      reject(new Error(`fixture exited (${code ?? signal}) before printing`)),
    )
  })
}

/** SIGKILLs a child and waits for its exit event. */
export function killHard(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve()
    child.once('exit', () => resolve())
    child.kill('SIGKILL')
  })
}
