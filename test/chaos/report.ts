// `npm run test:chaos`: runs every chaos scenario at full size, then prints one summary table
// (scenario, runs, passed, figure) from the lines the scenarios append to a report file. Exits
// non-zero when any test failed, whatever the table says.
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { readJsonLines, type ScenarioResult } from './chaos.js'

const HERE = path.dirname(fileURLToPath(import.meta.url))
/** A full run takes minutes; one scenario may take several (floods, 1000 tasks). */
const TEST_TIMEOUT_MS = 10 * 60 * 1000

/** A plain-text table, wrapped to the terminal width in its last column. */
export function formatSummary(results: ScenarioResult[], width = 160): string {
  const head = ['scenario', 'runs', 'passed', 'figure']
  const rows = results.map((r) => [
    `${r.passed === r.runs ? ' ' : '✗'} ${r.scenario}`,
    String(r.runs),
    String(r.passed),
    r.figure,
  ])
  const widths = [0, 1, 2].map((i) => Math.max(head[i]!.length, ...rows.map((row) => row[i]!.length)))
  const figureWidth = Math.max(40, width - widths.reduce((a, b) => a + b, 0) - 9)
  const line = (cells: string[]) => {
    const wrapped = wrap(cells[3]!, figureWidth)
    return wrapped
      .map((part, i) =>
        [
          (i === 0 ? cells[0]! : '').padEnd(widths[0]!),
          (i === 0 ? cells[1]! : '').padStart(widths[1]!),
          (i === 0 ? cells[2]! : '').padStart(widths[2]!),
          part,
        ].join(' │ '),
      )
      .join('\n')
  }
  const rule = `${widths.map((w) => '─'.repeat(w)).join('─┼─')}─┼─${'─'.repeat(figureWidth)}`
  return [line(head), rule, ...rows.map(line)].join('\n')
}

function wrap(text: string, width: number): string[] {
  const out: string[] = []
  let current = ''
  for (const word of text.split(' ')) {
    if (current !== '' && current.length + 1 + word.length > width) {
      out.push(current)
      current = word
    } else current = current === '' ? word : `${current} ${word}`
  }
  out.push(current)
  return out
}

async function main(): Promise<number> {
  const report = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bgbash-chaos-report-')), 'report.ndjson')
  const files = fs
    .readdirSync(HERE)
    .filter((name) => name.endsWith('.test.ts'))
    .sort()
    .map((name) => path.join(HERE, name))
  const started = performance.now()
  const code = await new Promise<number>((resolve) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--test', '--test-concurrency=2', `--test-timeout=${TEST_TIMEOUT_MS}`, ...files],
      {
        env: { ...process.env, BGBASH_CHAOS: 'full', BGBASH_CHAOS_REPORT: report },
        stdio: 'inherit',
      },
    )
    child.on('exit', (exitCode, signal) => resolve(exitCode ?? (signal ? 1 : 0)))
  })
  const seconds = (performance.now() - started) / 1000
  const results = readJsonLines<ScenarioResult>(report)
  fs.rmSync(path.dirname(report), { recursive: true, force: true })
  const width = process.stdout.columns ?? 160
  process.stdout.write(
    `\nChaos summary (BGBASH_CHAOS=full, ${files.length} files, ${seconds.toFixed(0)} s wall):\n\n`,
  )
  process.stdout.write(`${formatSummary(results, width)}\n\n`)
  const failing = results.filter((r) => r.passed < r.runs).length
  if (code !== 0 || failing > 0)
    process.stdout.write(
      `FAILED: the test runner exited with ${code}; ${failing} scenario${failing === 1 ? '' : 's'} with failed runs (✗).\n`,
    )
  else process.stdout.write('All chaos scenarios passed.\n')
  return code !== 0 ? code : failing > 0 ? 1 : 0
}

process.exitCode = await main()
