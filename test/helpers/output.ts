import assert from 'node:assert/strict'
import type { TaskManager } from '../../src/index.js'
import { foldRepeats } from '../../src/output/index.js'
import { pollUntil } from './wait.js'

/** Waits (bounded) until a task's output matches, and returns the match. */
export async function waitForOutput(
  tm: TaskManager,
  taskId: string,
  pattern: RegExp,
  timeoutMs = 10_000,
): Promise<RegExpMatchArray> {
  const read = await pollUntil(
    async () => (await tm.read(taskId, { tailLines: 50 })).text,
    (text) => pattern.test(text),
    { timeoutMs, what: `output matching ${pattern} from ${taskId}` },
  )
  return read.match(pattern)!
}

/** Splits bytes at the given cut points (any byte: mid-line, mid-character, mid-escape). */
export function cutBytes(bytes: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b)
  const out: Buffer[] = []
  let at = 0
  for (const point of points) {
    out.push(bytes.subarray(at, point))
    at = point
  }
  out.push(bytes.subarray(at))
  return out
}

const isGapMarker = (line: string) => /^… [\d,]+ lines? (\(.+\) omitted — .*|omitted) …$/.test(line)

/**
 * Checks that every line of a view comes from `processed` (the cleaned text the view was built
 * from), in order — whole, folded, or cut with a "…[+N bytes]" mark — and that the view keeps its
 * budget. Only the final cut of a budget too small for one line may end it early.
 */
export function assertViewFromSource(
  view: { text: string; truncated: boolean },
  processed: string,
  budget: number,
): void {
  assert.ok(Buffer.byteLength(view.text) <= budget, `${Buffer.byteLength(view.text)} > ${budget}`)
  // The view works on the processed text without its final newline, as buildView does.
  const source = foldRepeats((processed.endsWith('\n') ? processed.slice(0, -1) : processed).split('\n'))
  let at = 0
  for (const line of view.text === '' ? [] : view.text.split('\n')) {
    if (isGapMarker(line)) continue
    const cut = /^(.*) …\[\+\d+ bytes\]$/s.exec(line)
    const found = source.findIndex(
      (candidate, i) => i >= at && (candidate === line || (cut !== null && candidate.startsWith(cut[1]!))),
    )
    if (found < 0 && view.truncated && Buffer.byteLength(view.text) >= budget - 40) return
    assert.ok(found >= 0, `invented or out of order: ${JSON.stringify(line).slice(0, 80)}`)
    at = found + 1
  }
}
