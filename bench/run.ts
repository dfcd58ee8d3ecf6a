// npm run bench [-- --quick] [-- --json] [-- --only startup]: measures bgbash against the raw Node
// floor in the same run. --only runs one section (startup, engine, ndjson, mcp, patterns, scale,
// views, clients); the faces' spawn rows then have no library floor beside them.
import os from 'node:os'
import { benchClients } from './clients.js'
import { benchEngine, type Row } from './engine.js'
import { benchMcp } from './mcp.js'
import { benchNdjson } from './ndjson.js'
import { benchPatterns } from './patterns.js'
import { benchScale } from './scale.js'
import { benchStartup } from './startup.js'
import { benchViews, formatViews, type ViewsReport } from './views.js'

const argv = process.argv.slice(2)
const args = new Set(argv)
const quick = args.has('--quick')
const jsonOnly = args.has('--json')
const only = args.has('--only') ? argv[argv.indexOf('--only') + 1] : undefined
const runs = quick ? 20 : 60
const isOn = (section: string) => only === undefined || only === section

const started = Date.now()
const rows: Row[] = []
// First, while the machine is quiet: the scale section leaves it busy for a while after.
if (isOn('startup')) rows.push(...(await benchStartup({ quick, runs })))
const engineRows = isOn('engine') ? await benchEngine(runs) : []
rows.push(...engineRows)
// The faces' spawn rows are compared with the same bare detached spawn() as the library's.
const spawnFloor = engineRows.find((row) => row.name === 'spawn → reply (library)')?.floor
if (isOn('ndjson')) rows.push(...(await benchNdjson(Math.max(50, runs), spawnFloor)))
if (isOn('mcp')) rows.push(...(await benchMcp(Math.max(50, runs), spawnFloor)))
if (isOn('patterns')) rows.push(...(await benchPatterns(Math.max(50, runs))))
if (isOn('scale')) rows.push(...(await benchScale({ quick, runs })))
const views: ViewsReport | undefined = isOn('views') ? await benchViews({ quick }) : undefined
// Installs three harnesses on first use and runs each: left out of a quick run.
if (only === 'clients' || (only === undefined && !quick)) rows.push(...benchClients())
const report = {
  when: new Date().toISOString(),
  machine: {
    cpus: os.cpus().length,
    model: os.cpus()[0]?.model,
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
  },
  runs,
  quick,
  durationMs: Date.now() - started,
  rows,
  views,
}

if (jsonOnly) {
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`)
} else {
  const fmt = (x: number | undefined) => (x === undefined ? '' : x.toFixed(2))
  const header = ['measure', 'n', 'p50', 'p95', 'max', 'floor p50', 'ratio', 'target', 'ok']
  const lines = rows.map((r) => [
    r.name,
    String(r.bgbash.n),
    fmt(r.bgbash.p50),
    fmt(r.bgbash.p95),
    fmt(r.bgbash.max),
    fmt(r.floor?.p50),
    r.ratio === undefined ? '' : `${r.ratio}×`,
    r.target,
    r.pass === undefined ? '' : r.pass ? 'yes' : 'NO',
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)))
  const print = (cells: string[]) =>
    console.log(cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  '))
  console.log(
    `bgbash bench — ${report.machine.cpus} cores, ${report.machine.node}, ${runs} runs per latency (times in ms)`,
  )
  print(header)
  for (const line of lines) print(line)
  console.log('')
  if (views) for (const line of formatViews(views)) console.log(line)
  console.log('\nJSON:')
  console.log(JSON.stringify(report))
}
