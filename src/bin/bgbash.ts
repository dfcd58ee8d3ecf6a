#!/usr/bin/env node
import { main } from '../cli/main.js'

// The only file that touches process.argv, signals and the exit code.
const interrupt = new AbortController()
const onSigint = () => {
  // A second Ctrl-C while the command winds down leaves at once.
  if (interrupt.signal.aborted) process.exit(130)
  interrupt.abort()
  // Commands that follow or wait stop at once; the servers (mcp, ndjson) do not listen: end them.
  setTimeout(() => process.exit(130), 1000).unref()
}
process.on('SIGINT', onSigint)
const code = await main(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
  signal: interrupt.signal,
})
process.off('SIGINT', onSigint)
process.exitCode = code
