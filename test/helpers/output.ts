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
