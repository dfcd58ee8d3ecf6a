// The workflow of issue 16 ("What it costs the model, against the harnesses' own tools"), played
// in Claude Code and Codex with their own tools and with bgbash's: start a dev server, run a
// 40-test suite with 3 failures in the background, run `ls` meanwhile, learn which tests failed
// and why, stop the server. Prints, per harness and path, the o200k tokens of the results the
// model read, of the tool definitions added to every request (bgbash's, or Claude Code's deferred
// TaskStop once loaded), the requests, and the facts reached; then where the result tokens went.
//   npm run build && node --import tsx test/clients/workflow.ts [--runs 3] [--json]
import { parseArgs } from 'node:util'
import { findDiffsShown, LINE_KINDS, tokensByKind } from './workflow/breakdown.js'
import { runWorkflows, type WorkflowRun } from './workflow/measure.js'
import { FACTS, FAILURES } from './workflow/project.js'

const { values: flags } = parseArgs({
  options: { runs: { type: 'string', default: '3' }, json: { type: 'boolean' } },
})
const runs = await runWorkflows(Number(flags.runs), (run) =>
  process.stderr.write(`${run.harness}, ${run.path}: ${run.readTokens} + ${run.definitionTokens}\n`),
)
if (flags.json) process.stdout.write(`${JSON.stringify(runs)}\n`)
else for (const line of formatReport(runs)) console.log(line)

function formatReport(all: WorkflowRun[]): string[] {
  const groups = new Map<string, WorkflowRun[]>()
  for (const run of all) {
    const key = `${run.harness}, ${run.path}`
    groups.set(key, [...(groups.get(key) ?? []), run])
  }
  const header = ['harness', 'path', 'results', 'definitions added', 'total', 'requests', 'facts']
  const rows = [...groups.values()].map((group) => {
    const each = (value: (run: WorkflowRun) => string | number) => group.map(value).join(' / ')
    return [
      group[0]!.harness,
      group[0]!.path,
      each((run) => run.readTokens),
      each((run) =>
        run.definitionTokens === 0
          ? '0'
          : `${run.definitionsPerRequest} × ${run.requestsWithDefinitions} = ${run.definitionTokens}`,
      ),
      each((run) => run.readTokens + run.definitionTokens),
      each((run) => run.requests),
      each((run) => `${run.facts.length}/${FACTS.length}`),
    ]
  })
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)))
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join('  ')
      .trimEnd()
  const out = [
    `o200k tokens the model read, ${groups.values().next().value?.length ?? 0} runs each, one after the other (a / b / c)`,
    "native: the harness's own tools, reading the failures by grep or the whole output",
    line(header),
    ...rows.map(line),
  ]
  for (const group of groups.values()) {
    const [first] = group
    if (!first) continue
    out.push('', `${first.harness}, ${first.path} (run 1): each result`)
    for (const result of first.results) out.push(`  ${result.step} (${result.tool}): ${result.tokens}`)
    for (const notice of first.notices) out.push(`  task notification: ${notice.tokens}`)
    if (first.path !== 'bgbash') continue
    const biggest = first.results.reduce((a, b) => (b.tokens > a.tokens ? b : a))
    const kinds = tokensByKind(biggest.text)
    out.push(
      `  ${biggest.step} by kind of line: ${LINE_KINDS.map((kind) => `${kind} ${kinds[kind]}`).join(', ')}`,
      `  assertion diffs shown: ${findDiffsShown(biggest.text).length} of ${FAILURES.length}`,
    )
  }
  return out
}
