#!/usr/bin/env node
import { readVersion } from '../cli/version.js'
import { startEarlyHandshake } from '../faces/mcp/early.js'

// `bgbash <command> …`: the CLI, the MCP server (`bgbash mcp`) and the NDJSON engine (`bgbash ndjson`).
const argv = process.argv.slice(2)
// `bgbash mcp` answers the client's `initialize` before the CLI and the SDK are loaded.
startEarlyHandshake(argv, readVersion)
const { runProcess } = await import('./run-process.js')
await runProcess(argv)
