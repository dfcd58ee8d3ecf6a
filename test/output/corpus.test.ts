import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { gunzipSync } from 'node:zlib'
import {
  buildView,
  COMPLETION_FAILURE_BYTES,
  COMPLETION_SUCCESS_BYTES,
  collapseRedraws,
  FOREGROUND_RESULT_BYTES,
  STATUS_PREVIEW_BYTES,
  stripAnsi,
} from '../../src/output/index.js'

const CORPUS = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'corpus')

interface Capture {
  name: string
  exitCode: number
  raw: string
  mustLines: string[]
}

/** The captures listed in manifest.tsv (name, exit code, version, command), gzipped or not. */
function readCorpus(): Capture[] {
  const manifest = fs.readFileSync(path.join(CORPUS, 'manifest.tsv'), 'utf8').trim().split('\n')
  return manifest.map((row) => {
    const [name, code] = row.split('\t') as [string, string]
    const plain = path.join(CORPUS, `${name}.log`)
    const raw = fs.existsSync(plain)
      ? fs.readFileSync(plain, 'utf8')
      : gunzipSync(fs.readFileSync(`${plain}.gz`)).toString('utf8')
    const mustLines = fs
      .readFileSync(path.join(CORPUS, `${name}.must.txt`), 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
    return { name, exitCode: Number(code), raw, mustLines }
  })
}

const corpus = readCorpus()
const SUCCESS_BUDGETS = [COMPLETION_SUCCESS_BYTES, STATUS_PREVIEW_BYTES, FOREGROUND_RESULT_BYTES]
const FAILURE_BUDGETS = [COMPLETION_FAILURE_BYTES, STATUS_PREVIEW_BYTES, FOREGROUND_RESULT_BYTES]

test('the corpus holds 20+ real captures, failures and successes, one over 5 MB', () => {
  assert.ok(corpus.length >= 20, `${corpus.length} captures`)
  assert.ok(corpus.some((c) => c.exitCode === 0))
  assert.ok(corpus.some((c) => c.exitCode !== 0))
  assert.ok(corpus.some((c) => Buffer.byteLength(c.raw) > 5 * 1024 * 1024))
  assert.ok(corpus.some((c) => c.raw.includes('\u001b[')))
  assert.ok(corpus.some((c) => /\r[^\n]/.test(c.raw)))
})

test('every must-line is really in its capture (ANSI stripped, redraws collapsed)', () => {
  for (const capture of corpus) {
    const shown = collapseRedraws(stripAnsi(capture.raw))
    for (const line of capture.mustLines) {
      assert.ok(shown.includes(line), `${capture.name}: "${line}" is not in the capture`)
    }
  }
})

for (const capture of corpus) {
  const budgets = capture.exitCode === 0 ? SUCCESS_BUDGETS : FAILURE_BUDGETS
  // A failed task's notice shows its problems (completion.ts): those views must keep them too.
  const focuses = capture.exitCode === 0 ? (['ends'] as const) : (['ends', 'problems'] as const)
  test(`${capture.name}: views at ${budgets.map((b) => b / 1024).join('/')} KiB keep every must-line`, () => {
    // The MCP face's views are terse: they leave a test runner's bookkeeping out.
    for (const [focus, terse] of focuses.flatMap((focus) =>
      [false, true].map((terse) => [focus, terse] as const),
    )) {
      for (const budgetBytes of budgets) {
        const view = buildView(capture.raw, { budgetBytes, focus, terse })
        const at = `${capture.name} (${focus}${terse ? ', terse' : ''}) at ${budgetBytes} B`
        assert.ok(Buffer.byteLength(view.text) <= budgetBytes, `${at}: ${Buffer.byteLength(view.text)} bytes`)
        const missing = capture.mustLines.filter((line) => !view.text.includes(line))
        assert.deepEqual(missing, [], `${at} lost lines; view:\n${view.text}`)
      }
    }
  })
}
