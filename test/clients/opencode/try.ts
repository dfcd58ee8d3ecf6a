// Runs the OpenCode driver once on the matrix scenario and prints what the model saw.
//   npm run build && node --import tsx test/clients/opencode/try.ts
// BGBASH_CLIENTS_KEEP=1 keeps the temp dirs (and prints where they are) for a look afterwards.

import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { encode } from 'gpt-tokenizer/encoding/o200k_base'
import { killStoreProcesses } from '../../helpers/pids.js'
import { matrixScenario } from '../scenarios.js'
import { runOpenCode } from './driver.js'

const base = fs.mkdtempSync(path.join(os.tmpdir(), 'bgbash-opencode-'))
const home = path.join(base, 'store')
const cwd = path.join(base, 'project')
const harnessHome = path.join(base, 'harness')
fs.mkdirSync(cwd)
fs.mkdirSync(harnessHome)

const abort = new AbortController()
process.once('SIGINT', () => abort.abort())
try {
  const startedAt = Date.now()
  const result = await runOpenCode({
    scenario: matrixScenario(home),
    home,
    cwd,
    harnessHome,
    signal: abort.signal,
  })
  for (const seen of result.seen) {
    console.log(`=== ${seen.step} (${seen.tool}${seen.isError ? ', error' : ''})`)
    console.log(seen.text)
  }
  const chatRequests = result.requests.filter((request) => request.path.endsWith('/chat/completions'))
  console.log(`\n${result.requests.length} requests (${chatRequests.length} chat completions):`)
  for (const request of result.requests) console.log(`  ${request.path} ${describe(request.body)}`)
  const definitions = JSON.stringify(result.toolDefinitions)
  console.log(
    `\ntool definitions: ${result.toolDefinitions.length} tools, ${encode(definitions).length} o200k tokens`,
  )
  console.log(`exit ${result.exitCode}, ${Date.now() - startedAt} ms`)
  if (process.env.BGBASH_CLIENTS_KEEP) {
    fs.writeFileSync(path.join(base, 'harness-output.log'), result.log)
    fs.writeFileSync(path.join(base, 'requests.json'), JSON.stringify(result.requests, null, 2))
  }
} finally {
  await killStoreProcesses(home)
  if (process.env.BGBASH_CLIENTS_KEEP) console.log(`kept ${base}`)
  else fs.rmSync(base, { recursive: true, force: true })
}

/** One line about a logged request: its tools and the kinds of its messages. */
function describe(body: unknown): string {
  if (typeof body !== 'object' || body === null) return ''
  const { messages, tools } = body as { messages?: { role?: string }[]; tools?: unknown[] }
  return `tools=${tools?.length ?? 0} messages=${(messages ?? []).map((message) => message.role).join(',')}`
}
