#!/usr/bin/env node
import { main } from '../cli/main.js'

// The only file that touches process.argv and process.exit.
const code = await main(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
})
process.exitCode = code
