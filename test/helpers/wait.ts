import { setTimeout as sleep } from 'node:timers/promises'

/**
 * Polls a condition that no event announces (a process gone, a byte count reached), with a bound.
 * Fails with the last value seen, so a failure says what state things were in.
 */
export async function pollUntil<T>(
  read: () => T | Promise<T>,
  isDone: (value: T) => boolean,
  { timeoutMs = 10_000, intervalMs = 10, what = 'condition' } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last = await read()
  while (!isDone(last)) {
    if (Date.now() > deadline)
      throw new Error(
        `Timed out after ${timeoutMs} ms waiting for ${what}; last seen: ${JSON.stringify(last)}`,
      )
    await sleep(intervalMs)
    last = await read()
  }
  return last
}
