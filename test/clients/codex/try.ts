// Plays the matrix scenario through Codex once and prints what the model saw:
//   npm run build && node --import tsx test/clients/codex/try.ts [--code] [--requests FILE] [--log] [--keep]
// --code plays it in code mode (Codex's default model); --requests writes every request Codex sent
// to FILE as JSON; --log prints the run's log; --keep keeps the temp directories (Codex's home
// holds its own logs and session files).

import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { encode } from 'gpt-tokenizer/encoding/o200k_base'
import { killStoreProcesses } from '../../helpers/pids.js'
import { matrixScenario } from '../scenarios.js'
import { CodexRunError, runCodex, runCodexCodeMode } from './driver.js'
import { diffKeywords, listBgbashTools } from './schema-keywords.js'

const { values: flags } = parseArgs({
  options: {
    code: { type: 'boolean' },
    requests: { type: 'string' },
    log: { type: 'boolean' },
    keep: { type: 'boolean' },
  },
})
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bgbash-codex-try-'))
const dirs = { home: 'store', cwd: 'project', harnessHome: 'harness' }
const [home, cwd, harnessHome] = Object.values(dirs).map((name) => {
  const dir = path.join(root, name)
  fs.mkdirSync(dir)
  return dir
}) as [string, string, string]

try {
  const driver = flags.code ? runCodexCodeMode : runCodex
  const result = await driver({ scenario: matrixScenario(home), home, cwd, harnessHome }).catch(
    (error: unknown) => {
      if (error instanceof CodexRunError && flags.requests)
        fs.writeFileSync(flags.requests, JSON.stringify(error.result.requests, null, 2))
      throw error
    },
  )
  for (const seen of result.seen) {
    console.log(`=== ${seen.step} (${seen.tool})${seen.isError ? ' [error]' : ''}`)
    console.log(seen.text)
  }
  const tokens = encode(JSON.stringify(result.toolDefinitions)).length
  console.log(
    `=== tool definitions: ${result.toolDefinitions.length} entries, ${tokens} o200k tokens (as JSON)`,
  )
  console.log(`=== codex exit code: ${result.exitCode}, ${result.requests.length} requests`)
  if (flags.code)
    console.log(`=== all the model is told of bgbash: ${JSON.stringify(result.toolDefinitions)}`)
  else await printSchemaChanges(result.toolDefinitions as ReceivedTool[])
  if (flags.requests) fs.writeFileSync(flags.requests, JSON.stringify(result.requests, null, 2))
  if (flags.log) console.log(result.log)
} finally {
  // A run cut short leaves the scenario's background task (sleep 600) running.
  await killStoreProcesses(home)
  if (flags.keep) console.log(`kept ${root}`)
  else fs.rmSync(root, { recursive: true, force: true })
}

interface ReceivedTool {
  name: string
  description?: string
  parameters?: unknown
}

/** What Codex changed in bgbash's tools on their way to the model. */
async function printSchemaChanges(received: ReceivedTool[]): Promise<void> {
  const listed = await listBgbashTools(home)
  const diff = diffKeywords(
    listed.map((tool) => tool.inputSchema),
    received.map((tool) => tool.parameters),
  )
  console.log(`=== schema keywords dropped by Codex: ${JSON.stringify(diff.dropped)}`)
  console.log(`=== schema keywords added by Codex: ${JSON.stringify(diff.added)}`)
  for (const tool of listed) {
    const sent = received.find((definition) => definition.name === tool.name)
    if (!sent) console.log(`=== ${tool.name}: not received`)
    else if (sent.description !== tool.description) console.log(`=== ${tool.name}: description changed`)
  }
}
