// Runs the Claude Code driver once on the matrix scenario and prints what the model saw.
//   npm run build && node --import tsx test/clients/claude-code/try.ts [--log] [--dump=result.json]

import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { encode } from 'gpt-tokenizer/encoding/o200k_base'
import { killStoreProcesses } from '../../helpers/pids.js'
import { matrixScenario } from '../scenarios.js'
import { runClaudeCode } from './driver.js'

const base = fs.mkdtempSync(path.join(os.tmpdir(), 'bgbash-claude-try-'))
const home = path.join(base, 'store')
const cwd = path.join(base, 'project')
const harnessHome = path.join(base, 'harness')
for (const dir of [home, cwd, harnessHome]) fs.mkdirSync(dir)

try {
  const result = await runClaudeCode({ scenario: matrixScenario(home), home, cwd, harnessHome })
  for (const seen of result.seen) {
    console.log(`── ${seen.step} (${seen.tool})${seen.isError ? ' isError' : ''}`)
    console.log(seen.text)
  }
  const definitions = JSON.stringify(result.toolDefinitions)
  console.log(
    `── ${result.toolDefinitions.length} tool definitions: ${encode(definitions).length} o200k tokens`,
  )
  console.log(`── harness exit ${result.exitCode}, ${result.requests.length} requests:`)
  for (const request of result.requests) console.log(`   ${request.path} ${describeBody(request.body)}`)
  if (process.argv.includes('--log')) console.log(result.log)
  const dump = process.argv.find((arg) => arg.startsWith('--dump='))?.slice('--dump='.length)
  if (dump) fs.writeFileSync(dump, JSON.stringify(result, null, 2))
} finally {
  await killStoreProcesses(home)
  fs.rmSync(base, { recursive: true, force: true })
}

function describeBody(body: unknown): string {
  const { model, messages, tools } = body as { model?: string; messages?: unknown[]; tools?: unknown[] }
  return `model=${model} messages=${messages?.length ?? 0} tools=${tools?.length ?? 0}`
}
