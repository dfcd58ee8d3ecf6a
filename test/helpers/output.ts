import type { TaskManager } from '../../src/index.js'
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
