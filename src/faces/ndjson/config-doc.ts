import { WireError } from './protocol.js'

// AFT's config docs as `configure` receives them (`config: [{tier, source, doc}]`, JSON with
// comments), and the `bash.*` settings bgbash has behaviour for.

/** The `bash.*` settings bgbash acts on; every other key is reported in `config_dropped_keys`. */
export interface BashSettings {
  /** `bash.background` (or `bash: true/false`): background bash allowed; AFT's default true. */
  background?: boolean
  /** `bash.long_running_reminder_enabled`: push `bash_long_running` at all; default true. */
  longRunningEnabled?: boolean
  /** `bash.long_running_reminder_interval_ms`: the reminder's interval; default 10 min. */
  longRunningMs?: number
  /** `bash.foreground_wait_window_ms`: how long an orchestrated foreground call waits before it is promoted. */
  foregroundWaitMs?: number
}

const isBoolean = (value: unknown): value is boolean => typeof value === 'boolean'
const isMs = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0

/** Each key bgbash acts on: its check and where it goes. */
const BASH_KEYS: Record<
  string,
  { check: (value: unknown) => boolean; field: keyof BashSettings; expected: string }
> = {
  background: { check: isBoolean, field: 'background', expected: 'true or false' },
  long_running_reminder_enabled: { check: isBoolean, field: 'longRunningEnabled', expected: 'true or false' },
  long_running_reminder_interval_ms: { check: isMs, field: 'longRunningMs', expected: 'an integer ≥ 0' },
  foreground_wait_window_ms: { check: isMs, field: 'foregroundWaitMs', expected: 'an integer ≥ 0' },
}

/** Strips line and block comments and trailing commas from JSONC text, outside strings. */
export function parseJsonc(text: string): unknown {
  let out = ''
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!
    if (ch === '"') {
      const end = /"(?:[^"\\]|\\.)*"/y
      end.lastIndex = i
      const found = end.exec(text)
      if (!found) throw new SyntaxError('unterminated string')
      out += found[0]
      i += found[0].length - 1
    } else if (ch === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++
    } else if (ch === '/' && text[i + 1] === '*') {
      const close = text.indexOf('*/', i + 2)
      i = close < 0 ? text.length : close + 1
    } else out += ch
  }
  return JSON.parse(out.replace(/,(\s*[}\]])/g, '$1'))
}

function fail(message: string): never {
  throw new WireError('invalid_request', `configure: ${message}`)
}

/**
 * The `bash.*` settings of a list of config docs, later docs (tiers) over earlier ones, and the
 * keys bgbash has no behaviour for. Throws `invalid_request` for a doc that is not JSON(C) or a
 * value of the wrong type, before anything is applied.
 */
export function readBashSettings(docs: unknown): { settings: BashSettings; dropped: string[] } {
  const settings: BashSettings = {}
  const dropped: string[] = []
  if (docs === undefined) return { settings, dropped }
  if (!Array.isArray(docs)) fail('config must be a list of {tier, source, doc}')
  for (const entry of docs) {
    const doc = (entry as { doc?: unknown })?.doc
    if (typeof doc !== 'string') fail('each config entry needs a doc string')
    let parsed: unknown
    try {
      parsed = parseJsonc(doc)
    } catch (error) {
      fail(`config doc is not JSON(C): ${(error as Error).message}`)
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
      fail('a config doc must be an object')
    for (const [section, values] of Object.entries(parsed)) {
      if (section !== 'bash') {
        dropped.push(section)
      } else if (typeof values === 'boolean') {
        settings.background = values
      } else if (values !== null && typeof values === 'object' && !Array.isArray(values)) {
        for (const [key, value] of Object.entries(values)) {
          const known = Object.hasOwn(BASH_KEYS, key) ? BASH_KEYS[key] : undefined
          if (!known) dropped.push(`bash.${key}`)
          else if (!known.check(value)) fail(`bash.${key} must be ${known.expected}`)
          else (settings as Record<string, unknown>)[known.field] = value
        }
      } else fail('bash must be true, false or an object')
    }
  }
  return { settings, dropped }
}
