#!/usr/bin/env node
import { runProcess } from './run-process.js'

// `bgbash <command> …`: the CLI, the MCP server (`bgbash mcp`) and the NDJSON engine (`bgbash ndjson`).
await runProcess(process.argv.slice(2))
