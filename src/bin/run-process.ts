import { main } from '../cli/main.js'

/**
 * Runs the CLI on this process: its stdio, environment and directory, Ctrl-C as an AbortSignal,
 * and the exit code. Shared by the package's two executables (bin/bgbash.ts, bin/bgbash-mcp.ts),
 * the only files that touch process.argv, signals and the exit code.
 */
export async function runProcess(argv: string[]): Promise<void> {
  // A reader that went away (`bgbash ls --json | head`) ends the command quietly, as it would a
  // Unix tool: nothing more can be said to it.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error
      process.exit(process.exitCode ?? 0)
    })
  }
  const interrupt = new AbortController()
  const onSigint = () => {
    // A second Ctrl-C while the command winds down leaves at once.
    if (interrupt.signal.aborted) process.exit(130)
    interrupt.abort()
    // Commands that follow or wait stop at once; the servers (mcp, ndjson) do not listen: end them.
    setTimeout(() => process.exit(130), 1000).unref()
  }
  process.on('SIGINT', onSigint)
  const code = await main(argv, {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    signal: interrupt.signal,
  })
  process.off('SIGINT', onSigint)
  process.exitCode = code
}
