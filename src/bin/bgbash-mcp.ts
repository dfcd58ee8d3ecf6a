#!/usr/bin/env node
import { readVersion } from '../cli/version.js'
import { startEarlyHandshake } from '../faces/mcp/early.js'

// `bgbash-mcp [options]` is `bgbash mcp [options]`. It is the executable named like the package,
// so `npx -y bgbash-mcp` — how MCP clients start a server — runs the MCP server with no other
// argument (npx runs the bin whose name matches the package's when there are several).
const args = process.argv.slice(2)
// `npx -y bgbash-mcp mcp` (the subcommand written out as well) means the same.
if (args[0] === 'mcp') args.shift()
const argv = ['mcp', ...args]
// It answers the client's `initialize` before the CLI and the SDK are loaded.
startEarlyHandshake(argv, readVersion)
const { runProcess } = await import('./run-process.js')
await runProcess(argv)
