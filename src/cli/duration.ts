import { UsageError } from './usage-error.js'

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }

/** Parses `500ms`, `30s`, `1.5m`, `2h`, `1d` into milliseconds; anything else is a usage error. */
export function parseDuration(text: string, option: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(text.trim())
  const unit = match?.[2]
  if (!match?.[1] || !unit) {
    throw new UsageError(
      `Invalid ${option}: ${JSON.stringify(text)}. Use a number with a unit: 500ms, 30s, 5m, 2h.`,
    )
  }
  return Math.round(Number(match[1]) * (UNIT_MS[unit] ?? 1))
}

/** A short human duration: `850ms`, `12.3s`, `4m 05s`, `3h 12m`, `2d 4h`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))}ms`
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`
  const minutes = Math.floor(ms / 60_000)
  if (minutes < 60) return `${minutes}m ${String(Math.floor((ms % 60_000) / 1000)).padStart(2, '0')}s`
  const hours = Math.floor(minutes / 60)
  if (hours < 24) return `${hours}h ${String(minutes % 60).padStart(2, '0')}m`
  return `${Math.floor(hours / 24)}d ${hours % 24}h`
}

/** Bytes as `512B`, `3.4K`, `120M`, `1.2G`. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'K', 'M', 'G', 'T']
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return `${value >= 10 || unit === 0 ? Math.round(value) : value.toFixed(1)}${units[unit]}`
}
