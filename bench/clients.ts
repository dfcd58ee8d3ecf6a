// What each MCP client spends on bgbash, in o200k tokens: the client matrix's scenario played by
// Claude Code, Codex and OpenCode (installed from npm on first use) and by the SDK client, read
// from the requests each harness sent its fake model; and issue 16's workflow in Claude Code and
// Codex, bgbash against the cheapest path with the harness's own tools as the floor
// (test/clients/report.ts, run with tsx).
import { execFileSync } from 'node:child_process'
import path from 'node:path'
import type { Row } from './engine.js'
import { findBuiltBin } from './startup.js'
import { ratioTo, summarize } from './stats.js'

/** The budget for the tool definitions of all tools, as a client sends them. */
const MAX_DEFINITION_TOKENS = 1200

interface ClientReport {
  client: string
  definitions: number
  results: Record<string, number>
}

/** One run of the workflow (test/clients/workflow.ts) on one path. */
interface WorkflowReport {
  harness: string
  /** `bgbash`, or the harness's own tools: `native, grep` / `native, whole output`. */
  path: string
  /** Tokens of the tool results (and task notifications) the model read. */
  results: number
  /** Tokens of the tool definitions added to every request (bgbash's, or a native deferred tool), summed. */
  definitions: number
  requests: number
  /** How many of the 10 facts the model read. */
  facts: number
}

/** The workflow's facts: the 3 failed tests' names, expected and actual values, and "3 failed". */
const WORKFLOW_FACTS = 10

export function benchClients(): Row[] {
  const root = path.resolve(path.dirname(findBuiltBin()), '../..')
  const stdout = execFileSync(process.execPath, ['--import', 'tsx', 'test/clients/report.ts'], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const { matrix, workflow } = JSON.parse(stdout) as { matrix: ClientReport[]; workflow: WorkflowReport[] }
  const rows: Row[] = []
  for (const report of matrix) {
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
  rows.push(...workflowRows(workflow))
  return rows
}

/**
 * Per harness, the two targets, each against the cheapest path with the harness's own
 * tools (the floor): tool results ≤ the floor's; bgbash's definitions + results < the floor's.
 */
function workflowRows(runs: WorkflowReport[]): Row[] {
  const rows: Row[] = []
  for (const harness of new Set(runs.map((run) => run.harness))) {
    const of = (path: string) => runs.filter((run) => run.harness === harness && run.path === path)
    const bgbash = of('bgbash')
    const natives = [...new Set(runs.map((run) => run.path))].filter((path) => path !== 'bgbash').map(of)
    const cheapest = natives
      .filter((paths) => paths.length > 0)
      .reduce((a, b) => (summarize(total(b)).p50 < summarize(total(a)).p50 ? b : a))
    const allFacts = [...bgbash, ...cheapest].every((run) => run.facts === WORKFLOW_FACTS)
    const name = `${harness} workflow (floor: ${cheapest[0]?.path})`
    const results = summarize(bgbash.map((run) => run.results))
    const resultsFloor = summarize(cheapest.map((run) => run.results))
    rows.push({
      name: `${name}: tool results read`,
      unit: 'tokens',
      bgbash: results,
      floor: resultsFloor,
      ratio: ratioTo(results, resultsFloor),
      target: '≤ floor, 10 facts',
      pass: allFacts && results.p50 <= resultsFloor.p50,
    })
    const both = summarize(total(bgbash))
    const bothFloor = summarize(total(cheapest))
    rows.push({
      name: `${name}: definitions added + results`,
      unit: 'tokens',
      bgbash: both,
      floor: bothFloor,
      ratio: ratioTo(both, bothFloor),
      target: '< floor',
      pass: allFacts && both.p50 < bothFloor.p50,
    })
  }
  return rows
}

function total(runs: WorkflowReport[]): number[] {
  return runs.map((run) => run.results + run.definitions)
}
