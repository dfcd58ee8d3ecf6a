// `ready_when`, `fail_on` and `ready_timeout_ms` as the MCP and NDJSON faces take them.
import { BgbashError, type ReadyWhen } from '../index.js'
import { compilePattern } from './pattern.js'

export interface WireReadiness {
  ready_when?: unknown
  fail_on?: unknown
  ready_timeout_ms?: unknown
}

export interface Readiness {
  readyWhen?: ReadyWhen
  failOn?: RegExp
  readyTimeoutMs?: number
}

/**
 * Readiness written as one string, as the CLI's `--ready-when` and the MCP tool take it:
 * `port:3000`, `url:http://…` (or just `http://…`), else a regex of a ready line (`pattern:`
 * optional).
 */
export function parseReadySpec(spec: string, name: string): ReadyWhen {
  if (spec.startsWith('port:')) {
    const port = Number(spec.slice(5))
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      invalid(`Invalid ${name} ${JSON.stringify(spec)}: the port must be from 1 to 65535.`)
    }
    return { port }
  }
  if (spec.startsWith('url:')) return { url: spec.slice(4) }
  if (/^https?:\/\//.test(spec)) return { url: spec }
  const source = spec.startsWith('pattern:') ? spec.slice(8) : spec
  if (source === '') invalid(`Invalid ${name}: empty pattern.`)
  return { pattern: compilePattern(name, source) }
}

function invalid(message: string): never {
  throw new BgbashError('invalid_request', message)
}

/**
 * Turns wire readiness parameters into the engine's spawn options (the engine checks ranges and
 * URLs again). `ready_when` is one string (parseReadySpec: the MCP tool's form) or an object
 * holding exactly one of `pattern` (a regex as text), `port`, `url` (NDJSON's form).
 */
export function readReadiness(params: WireReadiness): Readiness {
  const { ready_when: when, fail_on: failOn, ready_timeout_ms: timeout } = params
  if (when === undefined || when === null) {
    if ((failOn ?? timeout ?? undefined) !== undefined) {
      invalid('Invalid parameters: fail_on and ready_timeout_ms only apply with ready_when.')
    }
    return {}
  }
  const readyWhen = typeof when === 'string' ? parseReadySpec(when, 'ready_when') : readReadyObject(when)
  if (failOn !== undefined && (typeof failOn !== 'string' || failOn === '')) {
    invalid('Invalid fail_on: use a regular expression as text, e.g. "EADDRINUSE|Error:".')
  }
  return {
    readyWhen,
    failOn: failOn === undefined ? undefined : compilePattern('fail_on', failOn as string),
    readyTimeoutMs: timeout as number | undefined,
  }
}

/** `{"port": 3000}`, `{"url": …}` or `{"pattern": …}`: exactly one. */
function readReadyObject(when: unknown): ReadyWhen {
  const example =
    'e.g. {"port": 3000}, {"url": "http://localhost:3000/health"} or {"pattern": "listening on"}'
  if (typeof when !== 'object' || Array.isArray(when))
    invalid(`Invalid ready_when: use an object, ${example}.`)
  const given = Object.entries(when as Record<string, unknown>).filter(([, value]) => value !== undefined)
  if (given.length !== 1) invalid(`Invalid ready_when: give exactly one of pattern, port, url, ${example}.`)
  const [key, value] = given[0]!
  if (key === 'pattern') {
    if (typeof value !== 'string' || value === '')
      invalid('Invalid ready_when.pattern: use a regular expression as text.')
    return { pattern: compilePattern('ready_when.pattern', value) }
  }
  if (key === 'port') return { port: value as number }
  if (key === 'url') return { url: value as string }
  invalid(`Invalid ready_when: unknown key ${key}; give one of pattern, port, url, ${example}.`)
}

/** One line saying how the wait for readiness ended, for people and models. */
export function describeReadiness(ready: {
  reason: string
  waitedMs: number
  detail?: string
  match?: { line: string }
}): string {
  const after = `${ready.waitedMs} ms`
  switch (ready.reason) {
    case 'ready':
      return `ready after ${after} (${ready.detail ?? `output: ${ready.match?.line}`})`
    case 'fail_match':
      return `its output shows a failure after ${after}: ${ready.match?.line}`
    case 'exit':
      return `it ended before it was ready (after ${after})`
    default:
      return `not ready after ${after}`
  }
}

/** The `ready` block of a wire result. */
export function readinessToWire(ready: {
  reason: string
  waitedMs: number
  detail?: string
  match?: { line: string }
}) {
  return {
    reason: ready.reason,
    waited_ms: ready.waitedMs,
    ...(ready.match ? { line: ready.match.line } : {}),
    ...(ready.detail ? { detail: ready.detail } : {}),
  }
}
