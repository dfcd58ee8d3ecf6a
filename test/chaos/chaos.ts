import fs from 'node:fs'
import type { TestContext } from 'node:test'

/** `BGBASH_CHAOS=full` runs every scenario at full size (`npm run test:chaos`); otherwise quick sizes for `npm test`. */
export const IS_FULL = process.env.BGBASH_CHAOS === 'full'

/** The quick or the full value of a size. */
export function bySize<T>(quick: T, full: T): T {
  return IS_FULL ? full : quick
}

/** One line of the chaos summary: a scenario, how often it ran, how often it held, and its figure. */
export interface ScenarioResult {
  scenario: string
  runs: number
  passed: number
  figure: string
}

/** Counts runs of one scenario and, when the runner asks for a report, appends the result to it. */
export class Scenario {
  runs = 0
  passed = 0
  figure = ''

  constructor(
    t: TestContext,
    readonly name: string,
  ) {
    t.after(() => {
      t.diagnostic(`${name}: ${this.passed}/${this.runs} passed; ${this.figure}`)
      const report = process.env.BGBASH_CHAOS_REPORT
      if (!report) return
      const result: ScenarioResult = {
        scenario: name,
        runs: this.runs,
        passed: this.passed,
        figure: this.figure,
      }
      fs.appendFileSync(report, `${JSON.stringify(result)}\n`)
    })
  }

  /** Runs one repetition; it passed when it returns. */
  async run<T>(body: () => Promise<T>): Promise<T> {
    this.runs++
    const value = await body()
    this.passed++
    return value
  }
}

/** A small seeded PRNG (mulberry32), so a failing chaos run can be replayed with its seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** The seed of this run: `BGBASH_CHAOS_SEED`, else the clock. */
export function chaosSeed(): number {
  return Number(process.env.BGBASH_CHAOS_SEED ?? Date.now() % 1_000_000_007)
}

/** Open file descriptors of this process. */
export function countFds(): number {
  return fs.readdirSync('/proc/self/fd').length
}

export function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`
}

/**
 * The JSON objects of a file written one line at a time by other processes, so far. A process
 * SIGKILLed mid-write may leave a partial last line; it cannot be a whole object and is skipped.
 */
export function readJsonLines<T>(file: string): T[] {
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch {
    return []
  }
  return text
    .split('\n')
    .filter((line) => line.endsWith('}'))
    .map((line) => JSON.parse(line) as T)
}
