// Views for a model: per corpus capture, raw tokens against view tokens, and a streamed 100 MB log.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { gunzipSync } from 'node:zlib'
import { countTokens } from 'gpt-tokenizer'
import {
  buildView,
  COMPLETION_FAILURE_BYTES,
  COMPLETION_SUCCESS_BYTES,
  FOREGROUND_RESULT_BYTES,
  ViewBuilder,
} from '../src/output/index.js'
import { round } from './stats.js'

export interface CorpusViewRow {
  file: string
  ok: boolean
  rawBytes: number
  /** Tokens (gpt-tokenizer, o200k_base) of the raw capture; undefined when skipped by --quick. */
  rawTokens?: number
  /** The completion view: 1 KiB on success, 4 KiB on failure. */
  completionBudget: number
  completionTokens: number
  foregroundTokens: number
  keptLines: number
  totalLines: number
  /** Time to build the foreground (16 KiB) view, ms. */
  buildMs: number
}

export interface StreamRow {
  bytes: number
  chunkBytes: number
  buildMs: number
  /** Most the process's resident memory grew over its level before the stream, sampled per chunk. */
  peakRssGrowthMb: number
  viewTokens: number
  keptLines: number
  totalLines: number
}

export interface ViewsReport {
  files: CorpusViewRow[]
  total: { rawBytes: number; rawTokens?: number; completionTokens: number; foregroundTokens: number }
  stream: StreamRow
}

/** test/corpus from bench/ (tsx) or .bench-dist/bench/ (compiled). */
function findCorpus(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url))
  for (let i = 0; i < 4; i++) {
    const candidate = path.join(dir, 'test', 'corpus')
    if (fs.existsSync(path.join(candidate, 'manifest.tsv'))) return candidate
    dir = path.dirname(dir)
  }
  throw new Error('test/corpus/manifest.tsv not found above the bench')
}

function readCapture(corpus: string, name: string): { file: string; raw: string } {
  const plain = path.join(corpus, `${name}.log`)
  if (fs.existsSync(plain)) return { file: `${name}.log`, raw: fs.readFileSync(plain, 'utf8') }
  return { file: `${name}.log.gz`, raw: gunzipSync(fs.readFileSync(`${plain}.gz`)).toString('utf8') }
}

function benchCorpus(quick: boolean): CorpusViewRow[] {
  const corpus = findCorpus()
  const manifest = fs.readFileSync(path.join(corpus, 'manifest.tsv'), 'utf8').trim().split('\n')
  return manifest.map((row) => {
    const [name, code] = row.split('\t') as [string, string]
    const { file, raw } = readCapture(corpus, name)
    const ok = code === '0'
    const rawBytes = Buffer.byteLength(raw)
    const completionBudget = ok ? COMPLETION_SUCCESS_BYTES : COMPLETION_FAILURE_BYTES
    // As the MCP face builds them: terse, and a failure's notice a view of its problems.
    const completion = buildView(raw, {
      budgetBytes: completionBudget,
      focus: ok ? 'ends' : 'problems',
      terse: true,
    })
    const started = performance.now()
    const foreground = buildView(raw, { budgetBytes: FOREGROUND_RESULT_BYTES, terse: true })
    const buildMs = performance.now() - started
    return {
      file,
      ok,
      rawBytes,
      // Tokenising megabytes takes seconds: --quick counts only captures under 1 MB.
      rawTokens: quick && rawBytes > 1 << 20 ? undefined : countTokens(raw),
      completionBudget,
      completionTokens: countTokens(completion.text),
      foregroundTokens: countTokens(foreground.text),
      keptLines: foreground.keptLines,
      totalLines: foreground.totalLines,
      buildMs: round(buildMs),
    }
  })
}

/**
 * A verbose test run: suites of passing cases with timings, progress redraws, colour, warnings,
 * and one failure with its assertion and stack in the middle, then a summary.
 */
function writeLog(file: string, totalBytes: number): void {
  const fd = fs.openSync(file, 'w')
  let written = 0
  let n = 0
  const failAt = Math.floor(totalBytes / 2)
  let failed = false
  try {
    while (written < totalBytes) {
      const lines: string[] = []
      for (let i = 0; i < 2000; i++, n++) {
        if (n % 5000 === 0) lines.push(`\u001b[1m▶ suite ${n / 5000}\u001b[0m`)
        if (n % 997 === 0) lines.push(`warning: slow test case ${n} took ${(n % 900) + 100} ms`)
        if (n % 3001 === 0)
          lines.push(`downloading fixtures 10%\r${'downloading fixtures 60%'}\rdownloading fixtures 100%`)
        lines.push(`  \u001b[32m✔\u001b[39m case ${n} handles input ${n * 7} (${(n % 97) / 10} ms)`)
      }
      if (!failed && written >= failAt) {
        failed = true
        lines.push(
          '  ✖ case 31337 parses the config (2.1 ms)',
          '    AssertionError [ERR_ASSERTION]: Expected values to be strictly equal:',
          '    41 !== 42',
          '        at TestContext.<anonymous> (file:///app/test/config.test.mjs:17:12)',
        )
      }
      const block = `${lines.join('\n')}\n`
      fs.writeSync(fd, block)
      written += Buffer.byteLength(block)
    }
    fs.writeSync(fd, `ℹ tests ${n}\nℹ pass ${n - 1}\nℹ fail 1\n`)
  } finally {
    fs.closeSync(fd)
  }
}

async function benchStream(bytes: number): Promise<StreamRow> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bgbash-views-'))
  const file = path.join(dir, 'big.log')
  try {
    writeLog(file, bytes)
    const size = fs.statSync(file).size
    // The engine streams logs into views 256 KiB a read (src/engine/completion.ts).
    const chunkBytes = 256 * 1024
    globalThis.gc?.()
    const baseline = process.memoryUsage.rss()
    let peak = baseline
    const started = performance.now()
    const builder = new ViewBuilder({ budgetBytes: FOREGROUND_RESULT_BYTES, terse: true })
    for await (const chunk of fs.createReadStream(file, { highWaterMark: chunkBytes })) {
      builder.push(chunk as Buffer)
      const rss = process.memoryUsage.rss()
      if (rss > peak) peak = rss
    }
    const view = builder.finish()
    const buildMs = performance.now() - started
    return {
      bytes: size,
      chunkBytes,
      buildMs: round(buildMs),
      peakRssGrowthMb: round((peak - baseline) / (1024 * 1024)),
      viewTokens: countTokens(view.text),
      keptLines: view.keptLines,
      totalLines: view.totalLines,
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

/** Views of the corpus and of a generated log (100 MB; 25 MB with --quick). */
export async function benchViews({ quick }: { quick: boolean }): Promise<ViewsReport> {
  const files = benchCorpus(quick)
  const stream = await benchStream((quick ? 25 : 100) * 1024 * 1024)
  const sum = (pick: (row: CorpusViewRow) => number) => files.reduce((total, row) => total + pick(row), 0)
  return {
    files,
    total: {
      rawBytes: sum((row) => row.rawBytes),
      rawTokens: files.every((row) => row.rawTokens !== undefined) ? sum((row) => row.rawTokens!) : undefined,
      completionTokens: sum((row) => row.completionTokens),
      foregroundTokens: sum((row) => row.foregroundTokens),
    },
    stream,
  }
}

/** The report as table lines for the console. */
export function formatViews(report: ViewsReport): string[] {
  const header = [
    'capture',
    'result',
    'raw KB',
    'raw tok',
    'completion tok',
    '16 KiB tok',
    'lines kept',
    'ms',
  ]
  const rows = report.files.map((row) => [
    row.file,
    row.ok ? 'ok' : 'failed',
    (row.rawBytes / 1024).toFixed(1),
    row.rawTokens === undefined ? '—' : String(row.rawTokens),
    `${row.completionTokens} (${row.completionBudget / 1024} KiB)`,
    String(row.foregroundTokens),
    `${row.keptLines}/${row.totalLines}`,
    row.buildMs.toFixed(2),
  ])
  const { total, stream } = report
  rows.push([
    'total',
    '',
    (total.rawBytes / 1024).toFixed(1),
    total.rawTokens === undefined ? '—' : String(total.rawTokens),
    String(total.completionTokens),
    String(total.foregroundTokens),
    '',
    report.files.reduce((sum, row) => sum + row.buildMs, 0).toFixed(2),
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')
  return [
    'views as the MCP face builds them (terse; a failure notice shows its problems) — tokens by gpt-tokenizer (o200k_base); completion budget 1 KiB on success, 4 KiB on failure',
    line(header),
    ...rows.map(line),
    `streamed log: ${(stream.bytes / 1024 / 1024).toFixed(0)} MB in ${stream.chunkBytes / 1024} KiB chunks → ` +
      `16 KiB view in ${stream.buildMs.toFixed(0)} ms (${((stream.bytes / 1024 / 1024 / stream.buildMs) * 1000).toFixed(0)} MB/s), ` +
      `peak RSS growth ${stream.peakRssGrowthMb.toFixed(1)} MB, ${stream.viewTokens} tokens, ` +
      `${stream.keptLines}/${stream.totalLines} lines kept`,
  ]
}
