// What each client spends on bgbash, as JSON on stdout: the matrix scenario in each harness, the
// tokens (o200k) of the tool definitions as sent and of each result as the model read it; and the
// workflow of issue 16 in Claude Code and Codex, with their own tools and with bgbash's
// (workflow.ts), WORKFLOW_RUNS times each. Run by `npm run bench` (section clients); the harnesses
// are installed on first use.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { killStoreProcesses } from '../helpers/pids.js'
import { runClaudeCode } from './claude-code/driver.js'
import { runCodex } from './codex/driver.js'
import { tokensOf } from './matrix-tokens.js'
import { runOpenCode } from './opencode/driver.js'
import type { Driver } from './scenario.js'
import { matrixScenario } from './scenarios.js'
import { sdkDriver } from './sdk/driver.js'
import { runWorkflows } from './workflow/measure.js'

/** Runs of each workflow path: enough to show the spread (the tokens move by a few percent). */
const WORKFLOW_RUNS = 3

const CLIENTS: Array<[string, Driver]> = [
  ['SDK client', sdkDriver()],
  ['Claude Code', runClaudeCode],
  ['Codex', runCodex],
  ['OpenCode', runOpenCode],
]

const matrix = []
for (const [client, driver] of CLIENTS) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bgbash-clients-report-'))
  const home = path.join(root, 'store')
  const cwd = path.join(root, 'project')
  const harnessHome = path.join(root, 'harness')
  fs.mkdirSync(cwd)
  fs.mkdirSync(harnessHome)
  try {
    const result = await driver({ scenario: matrixScenario(home), home, cwd, harnessHome })
    matrix.push({
      client,
      definitions: tokensOf(result.toolDefinitions),
      results: Object.fromEntries(result.seen.map((seen) => [seen.step, tokensOf(seen.text)])),
    })
  } finally {
    await killStoreProcesses(home)
    fs.rmSync(root, { recursive: true, force: true })
  }
}
const workflow = (await runWorkflows(WORKFLOW_RUNS)).map((run) => ({
  harness: run.harness,
  path: run.path,
  results: run.readTokens,
  definitions: run.definitionTokens,
  requests: run.requests,
  facts: run.facts.length,
}))
process.stdout.write(`${JSON.stringify({ matrix, workflow })}\n`)
