/** Engine names are camelCase; the CLI's JSON, like every wire format of bgbash, is snake_case. */
export function toSnakeCase(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toSnakeCase)
  if (value === null || typeof value !== 'object' || value instanceof RegExp) return value
  const out: Record<string, unknown> = {}
  for (const [key, entry] of Object.entries(value)) {
    if (entry === undefined) continue
    out[key.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`)] = toSnakeCase(entry)
  }
  return out
}

/** One JSON document on its own line. */
export function formatJson(value: unknown): string {
  return `${JSON.stringify(toSnakeCase(value), null, 2)}\n`
}
