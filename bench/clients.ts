// What each MCP client spends on bgbash, in o200k tokens: the client matrix's scenario played by
// Claude Code, Codex and OpenCode (installed from npm on first use) and by the SDK client, read
// from the requests each harness sent its fake model (test/clients/report.ts, run with tsx).
import { execFileSync } from 'node:child_process'
import path from 'node:path'
import type { Row } from './engine.js'
import { findBuiltBin } from './startup.js'
import { summarize } from './stats.js'

/** The budget for the tool definitions of all tools, as a client sends them. */
const MAX_DEFINITION_TOKENS = 1200

interface ClientReport {
  client: string
  definitions: number
  results: Record<string, number>
}

export function benchClients(): Row[] {
  const root = path.resolve(path.dirname(findBuiltBin()), '../..')
  const stdout = execFileSync(process.execPath, ['--import', 'tsx', 'test/clients/report.ts'], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const rows: Row[] = []
  for (const report of JSON.parse(stdout) as ClientReport[]) {
    rows.push({
      name: `${report.client}: tool definitions`,
      unit: 'tokens',
      bgbash: summarize([report.definitions]),
      target: `≤ ${MAX_DEFINITION_TOKENS}`,
      pass: report.definitions <= MAX_DEFINITION_TOKENS,
    })
    const steps = Object.entries(report.results)
    rows.push({
      name: `${report.client}: the ${steps.length} results of the matrix scenario`,
      unit: 'tokens',
      bgbash: summarize([steps.reduce((sum, [, n]) => sum + n, 0)]),
      target: 'text, as little as says it',
    })
  }
  return rows
}
