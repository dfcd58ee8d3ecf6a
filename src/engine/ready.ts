import net from 'node:net'
import { BgbashError } from '../errors.js'
import type { LogMatch } from '../watch/log-scanner.js'
import type { WaitForOptions, WaitForResult } from './wait-for.js'

/** What "ready" means for a task: a line of its output, a TCP port on localhost, an HTTP URL. */
export type ReadyWhen = { pattern: RegExp } | { port: number } | { url: string }

/** Why a spawn with `readyWhen` returned. Only `ready` means the task is up. */
export type ReadyReason = 'ready' | 'exit' | 'fail_match' | 'timeout'

export interface ReadyResult {
  reason: ReadyReason
  /** From the spawn to the answer. */
  waitedMs: number
  /** The line that made it ready (`pattern`) or failed it (`failOn`), with context. */
  match?: LogMatch
  /** What was checked, e.g. `port 3000 accepts connections` or `GET http://… → 200`. */
  detail?: string
}

export interface ReadyOptions {
  readyWhen: ReadyWhen
  failOn?: RegExp
  timeoutMs: number
}

/** Default `readyTimeoutMs`: long enough for a cold dev server or a build before it. */
export const DEFAULT_READY_TIMEOUT_MS = 60_000
/** Longest `readyTimeoutMs`: one hour. */
const MAX_READY_TIMEOUT_MS = 60 * 60 * 1000
/** Pause between two connection attempts to a port (a refused local connect costs ~0.1 ms). */
const PORT_PROBE_MS = 20
/** Pause between two requests to a URL, and how long one request may take. */
const URL_PROBE_MS = 100
const URL_REQUEST_MS = 2000

function invalid(message: string): BgbashError {
  return new BgbashError('invalid_request', message)
}

/**
 * Checks `readyWhen`, `failOn` and `readyTimeoutMs` of a spawn before anything starts; returns
 * undefined when the spawn does not wait for readiness.
 */
export function checkReadyOptions(options: {
  readyWhen?: unknown
  failOn?: unknown
  readyTimeoutMs?: unknown
}): ReadyOptions | undefined {
  const { readyWhen, failOn, readyTimeoutMs } = options
  if (readyWhen === undefined) {
    if (failOn !== undefined || readyTimeoutMs !== undefined) {
      throw invalid('Invalid spawn options: failOn and readyTimeoutMs only apply with readyWhen.')
    }
    return undefined
  }
  if (failOn !== undefined && !(failOn instanceof RegExp)) throw invalid('Invalid failOn: use a RegExp.')
  const timeoutMs = readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS
  if (
    typeof timeoutMs !== 'number' ||
    !Number.isInteger(timeoutMs) ||
    timeoutMs < 1 ||
    timeoutMs > MAX_READY_TIMEOUT_MS
  ) {
    throw invalid(
      `Invalid readyTimeoutMs: ${JSON.stringify(readyTimeoutMs)}. Use an integer number of ms from 1 to ${MAX_READY_TIMEOUT_MS}.`,
    )
  }
  return { readyWhen: checkReadyWhen(readyWhen), failOn, timeoutMs }
}

function checkReadyWhen(value: unknown): ReadyWhen {
  const hint = 'Use { pattern: /listening/ }, { port: 3000 } or { url: "http://localhost:3000/health" }.'
  if (!value || typeof value !== 'object' || Array.isArray(value) || Object.keys(value).length !== 1) {
    throw invalid(`Invalid readyWhen: give exactly one of pattern, port, url. ${hint}`)
  }
  const when = value as Record<string, unknown>
  if ('pattern' in when) {
    if (!(when.pattern instanceof RegExp)) throw invalid(`Invalid readyWhen.pattern: use a RegExp. ${hint}`)
    return { pattern: when.pattern }
  }
  if ('port' in when) {
    const port = when.port
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
      throw invalid(`Invalid readyWhen.port: ${JSON.stringify(port)}. Use a TCP port from 1 to 65535.`)
    }
    return { port }
  }
  if ('url' in when) {
    let url: URL | undefined
    try {
      url = typeof when.url === 'string' ? new URL(when.url) : undefined
    } catch {
      url = undefined
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      throw invalid(`Invalid readyWhen.url: ${JSON.stringify(when.url)}. Use an http:// or https:// URL.`)
    }
    return { url: url.href }
  }
  throw invalid(`Invalid readyWhen: unknown key ${Object.keys(when)[0]}. ${hint}`)
}

/** True when something accepts TCP connections on this port of localhost (IPv4 or IPv6). */
export async function isPortAccepting(port: number): Promise<boolean> {
  const attempt = (host: string) =>
    new Promise<boolean>((resolve) => {
      const socket = net.connect({ port, host })
      const done = (accepted: boolean) => {
        socket.destroy()
        resolve(accepted)
      }
      socket.once('connect', () => done(true))
      socket.once('error', () => done(false))
      socket.setTimeout(1000, () => done(false))
    })
  const [v4, v6] = await Promise.all([attempt('127.0.0.1'), attempt('::1')])
  return v4 || v6
}

/** The status an HTTP URL answers with, or undefined when it does not answer. */
async function probeUrl(url: string): Promise<number | undefined> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(URL_REQUEST_MS), redirect: 'manual' })
    await response.body?.cancel()
    return response.status
  } catch {
    return undefined
  }
}

/** Resolves after `ms`, or at once when the signal aborts. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms)
    function done() {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
    signal.addEventListener('abort', done, { once: true })
  })
}

/** Probes a port or URL until it answers; resolves with what it saw, or undefined when aborted. */
async function probeUntilUp(
  when: { port: number } | { url: string },
  signal: AbortSignal,
): Promise<string | undefined> {
  while (!signal.aborted) {
    if ('port' in when) {
      if (await isPortAccepting(when.port)) return `port ${when.port} accepts connections`
      await pause(PORT_PROBE_MS, signal)
    } else {
      const status = await probeUrl(when.url)
      if (status !== undefined && status < 500) return `GET ${when.url} → ${status}`
      await pause(URL_PROBE_MS, signal)
    }
  }
  return undefined
}

/** Refuses a port that already answers before the task starts: it would look ready at once. */
export async function checkPortFree(readyWhen: ReadyWhen): Promise<void> {
  if (!('port' in readyWhen) || !(await isPortAccepting(readyWhen.port))) return
  throw invalid(
    `Port ${readyWhen.port} already accepts connections before the task starts, so readyWhen.port would be met at once. ` +
      'Stop what holds it (bgbash ls, or lsof -i) or wait on another port.',
  )
}

/**
 * Waits until a started task is ready, has ended, printed its failure pattern, or the time is up.
 * `waitFor` is the engine's event-driven wait on the task's output and end.
 */
export async function waitUntilReady(
  options: ReadyOptions,
  startedAt: number,
  waitFor: (options: WaitForOptions) => Promise<WaitForResult>,
): Promise<ReadyResult> {
  const { readyWhen, failOn, timeoutMs } = options
  const elapsed = () => Date.now() - startedAt
  if ('pattern' in readyWhen) {
    const result = await waitFor({ until: readyWhen.pattern, failOn, timeoutMs })
    const reason: ReadyReason = result.reason === 'match' ? 'ready' : result.reason
    return { reason, waitedMs: elapsed(), match: result.match }
  }
  const stop = new AbortController()
  const ended = waitFor({ until: 'exit', failOn, timeoutMs, signal: stop.signal }).then((result) => ({
    result,
  }))
  const up = probeUntilUp(readyWhen, stop.signal).then((detail) => ({ detail }))
  const first = await Promise.race([ended, up])
  stop.abort()
  if ('detail' in first && first.detail !== undefined) {
    await ended
    return { reason: 'ready', waitedMs: elapsed(), detail: first.detail }
  }
  const { result } = await ended
  await up
  return {
    reason: result.reason === 'match' ? 'ready' : result.reason,
    waitedMs: elapsed(),
    match: result.match,
  }
}
