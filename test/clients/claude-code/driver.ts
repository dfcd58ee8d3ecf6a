// Drives the real Claude Code (`claude -p`) against the fake Anthropic API with `bgbash mcp` as
// its only MCP server, and reports what the fake model was shown.
//
// Tool search: Claude Code 2.1.328 defers every MCP tool by default, also with a custom
// ANTHROPIC_BASE_URL (its debug log says `[ToolSearch:optimistic] mode=tst`). bgbash's tools are
// then named only, in a system message listing the deferred tools, and `tools` carries a
// `DeferredToolPlaceholder` instead of their schemas. The driver keeps that default, so the fake
// model calls ToolSearch with `select:` and every bgbash tool name before its first bgbash call,
// as a real model told so by that message does. ToolSearch answers with `tool_reference` blocks,
// and from then on `tools` carries bgbash's full definitions marked `defer_loading: true`.
//
// MCP start-up: a server named by --mcp-config holds the first turn until it connects (up to its
// 30 s connect timeout), so bgbash is in the first request without MCP_CONNECTION_NONBLOCKING=0.

import { type ChildProcess, spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { BGBASH_BIN, installHarness } from '../install.js'
import type { Driver, DriverOptions, DriverResult } from '../scenario.js'
import { type FakeAnthropic, startFakeAnthropic } from './fake-anthropic.js'
import { MCP_SERVER_NAME } from './scenario-player.js'

/** A whole scenario takes a few seconds; this bounds a harness that hangs. */
const RUN_TIMEOUT_MS = 120_000
/** How long the harness gets to exit after SIGTERM before its process group is killed. */
const KILL_GRACE_MS = 5_000

export const runClaudeCode: Driver = async (options) => {
  options.signal?.throwIfAborted()
  const claude = await installHarness('claude-code')
  const fake = await startFakeAnthropic(options.scenario)
  const child = spawn(claude, buildArgs(options), {
    cwd: options.cwd,
    env: buildEnv(options.harnessHome, fake.url),
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let log = ''
  child.stdout?.on('data', (chunk: Buffer) => {
    log += chunk.toString('utf8')
  })
  child.stderr?.on('data', (chunk: Buffer) => {
    log += chunk.toString('utf8')
  })
  const closed = new Promise<number | null>((resolve, reject) => {
    child.once('error', reject)
    child.once('close', (code) => resolve(code))
  })
  const stop = AbortSignal.any([
    AbortSignal.timeout(RUN_TIMEOUT_MS),
    ...(options.signal ? [options.signal] : []),
  ])
  try {
    const exitCode = await Promise.race([closed, failureOf(fake), abortOf(stop)])
    return resultOf(fake, exitCode, log)
  } catch (error) {
    const reason =
      stop.aborted && !options.signal?.aborted ? `timed out after ${RUN_TIMEOUT_MS} ms` : 'failed'
    throw new Error(`Claude Code ${reason}: ${(error as Error).message}\n${describeRun(fake, log)}`, {
      cause: error,
    })
  } finally {
    await killGroup(child, closed)
    await fake.close()
  }
}

/**
 * Claude Code's own tools the workflow scenario calls natively (ToolCall.native): `Bash`, `Read`
 * of an output file, `TaskStop`. Allowing them changes nothing in the requests; it only spares the
 * "This command requires approval" refusal `claude -p` answers them with otherwise.
 */
const NATIVE_TOOLS = ['Bash', 'Read', 'TaskStop']

/** `claude -p` with bgbash as the only MCP server, every bgbash tool and NATIVE_TOOLS allowed. */
function buildArgs(options: DriverOptions): string[] {
  const mcpConfig = {
    mcpServers: {
      [MCP_SERVER_NAME]: { command: process.execPath, args: [BGBASH_BIN, 'mcp', '--home', options.home] },
    },
  }
  return [
    '-p',
    options.scenario.prompt,
    '--mcp-config',
    JSON.stringify(mcpConfig),
    '--strict-mcp-config',
    // A rule naming only the server allows each of its tools.
    '--allowedTools',
    [`mcp__${MCP_SERVER_NAME}`, ...NATIVE_TOOLS].join(','),
    '--output-format',
    'stream-json',
    '--verbose',
  ]
}

/**
 * Only PATH is inherited: every home and config directory is under harnessHome, the API is the
 * fake, and nothing that would reach another host (telemetry, updates, error reports) is on.
 */
function buildEnv(harnessHome: string, baseUrl: string): NodeJS.ProcessEnv {
  const dir = (name: string) => {
    const full = path.join(harnessHome, name)
    fs.mkdirSync(full, { recursive: true })
    return full
  }
  return {
    PATH: process.env.PATH,
    HOME: harnessHome,
    CLAUDE_CONFIG_DIR: dir('.claude'),
    XDG_CONFIG_HOME: dir('.config'),
    XDG_CACHE_HOME: dir('.cache'),
    XDG_DATA_HOME: dir('.local/share'),
    XDG_STATE_HOME: dir('.local/state'),
    TMPDIR: dir('tmp'),
    ANTHROPIC_BASE_URL: baseUrl,
    ANTHROPIC_API_KEY: 'sk-ant-api03-fake-key-for-the-bgbash-client-matrix',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_AUTOUPDATER: '1',
    DISABLE_TELEMETRY: '1',
    DISABLE_ERROR_REPORTING: '1',
  }
}

function resultOf(fake: FakeAnthropic, exitCode: number | null, log: string): DriverResult {
  return { seen: fake.seen, requests: fake.requests, toolDefinitions: fake.toolDefinitions, exitCode, log }
}

function describeRun(fake: FakeAnthropic, log: string): string {
  const requests = fake.requests.map((request) => request.path).join(', ')
  return `requests: ${requests || 'none'}\nsteps seen: ${fake.seen.map((seen) => seen.step).join(', ')}\nlog:\n${log}`
}

async function failureOf(fake: FakeAnthropic): Promise<never> {
  throw await fake.failed
}

function abortOf(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    const onAbort = () =>
      reject(signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason)))
    if (signal.aborted) onAbort()
    else signal.addEventListener('abort', onAbort, { once: true })
  })
}

/** SIGTERM to the harness's group (it and its MCP server), SIGKILL after the grace. */
async function killGroup(child: ChildProcess, closed: Promise<unknown>): Promise<void> {
  const pid = child.pid
  if (pid === undefined) return
  if (child.exitCode === null && child.signalCode === null) {
    signalGroup(pid, 'SIGTERM')
    let grace: NodeJS.Timeout | undefined
    await Promise.race([
      closed.catch(() => {}),
      new Promise((resolve) => {
        grace = setTimeout(resolve, KILL_GRACE_MS)
      }),
    ])
    clearTimeout(grace)
  }
  signalGroup(pid, 'SIGKILL')
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal)
  } catch {
    // ESRCH: every process of the group has exited already.
  }
}
