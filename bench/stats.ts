/** Percentile summary of a list of millisecond samples. */
export interface Summary {
  n: number
  p50: number
  p95: number
  max: number
  mean: number
}

export function summarize(samples: number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b)
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN
  const mean = sorted.reduce((sum, x) => sum + x, 0) / Math.max(1, sorted.length)
  return {
    n: sorted.length,
    p50: round(at(0.5)),
    p95: round(at(0.95)),
    max: round(sorted.at(-1) ?? Number.NaN),
    mean: round(mean),
  }
}

export function round(x: number): number {
  return Math.round(x * 1000) / 1000
}

/** bgbash p50 over the floor's p50, two decimals; undefined without a floor. */
export function ratioTo(bgbash: Summary, floor: Summary | undefined): number | undefined {
  return floor && floor.p50 > 0 ? Math.round((bgbash.p50 / floor.p50) * 100) / 100 : undefined
}
