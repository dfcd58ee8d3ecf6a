import { readInteger, readString } from '../params.js'
import { WireError } from '../protocol.js'
import type { Handler } from '../session.js'

/** Strips line and block comments and trailing commas from JSONC text, outside strings. */
function parseJsonc(text: string): unknown {
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

/** `configure`: project root, running limit and the long-running reminder, for this engine. */
export const handleConfigure: Handler = async (ctx, params) => {
  const warnings: string[] = []
  const dropped: string[] = []
  const projectRoot = readString('configure', params, 'project_root')
  if (projectRoot !== undefined) ctx.settings.projectRoot = projectRoot
  const storageDir = readString('configure', params, 'storage_dir')
  if (storageDir !== undefined) {
    if (ctx.sessions().length > 0 && storageDir !== ctx.settings.home) {
      warnings.push('storage_dir ignored: sessions are already open on the current store')
    } else ctx.settings.home = storageDir
  }
  const limit = readInteger('configure', params, 'max_background_bash_tasks', 1, 10_000)
  if (limit !== undefined) ctx.settings.maxRunning = limit
  const docs = params.config
  if (docs !== undefined) {
    if (!Array.isArray(docs))
      throw new WireError('invalid_request', 'configure: config must be a list of {tier, source, doc}')
    for (const entry of docs) {
      const doc = (entry as { doc?: unknown })?.doc
      if (typeof doc !== 'string')
        throw new WireError('invalid_request', 'configure: each config entry needs a doc string')
      let parsed: unknown
      try {
        parsed = parseJsonc(doc)
      } catch (error) {
        throw new WireError(
          'invalid_request',
          `configure: config doc is not JSON(C): ${(error as Error).message}`,
        )
      }
      for (const [section, values] of Object.entries((parsed ?? {}) as Record<string, unknown>)) {
        if (section !== 'bash' || !values || typeof values !== 'object') {
          dropped.push(section)
          continue
        }
        for (const [key, value] of Object.entries(values as Record<string, unknown>)) {
          if (
            key === 'long_running_reminder_interval_ms' &&
            Number.isSafeInteger(value) &&
            (value as number) >= 0
          ) {
            ctx.settings.longRunningMs = value as number
          } else if (key === 'background') {
            // bgbash always runs bash commands in the background on this protocol.
          } else dropped.push(`bash.${key}`)
        }
      }
    }
  }
  for (const session of ctx.sessions()) {
    session.tm.configure({ maxRunning: ctx.settings.maxRunning, longRunningMs: ctx.settings.longRunningMs })
  }
  return { project_root: ctx.settings.projectRoot ?? null, warnings, config_dropped_keys: dropped }
}
