// Runs the real Codex CLI (`codex exec`) against the fake Responses API, with `bgbash mcp` as its
// MCP server, and reports what the fake model was shown.

import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { BGBASH_BIN, installHarness } from '../install.js'
import type { Driver, DriverOptions, DriverResult } from '../scenario.js'
import { MCP_SERVER_NAME } from './codex-request.js'
import { type FakeModelMode, type FakeResponses, startFakeResponses } from './fake-responses.js'

/** A whole run's bound: Codex start-up, seven turns and bgbash's own waits fit well inside it. */
const RUN_TIMEOUT_MS = 120_000
/** The variable Codex reads the provider's API key from; the fake server accepts any key. */
const API_KEY_ENV = 'BGBASH_FAKE_OPENAI_KEY'
/** Grace between SIGTERM and SIGKILL for Codex's process group (execa uses 5 s; a test wants less). */
const KILL_GRACE_MS = 2_000

/** A run that did not play its scenario to the end; `result` holds what was seen until then. */
export class CodexRunError extends Error {
  constructor(
    why: string,
    readonly result: DriverResult,
  ) {
    super(`${why}\n${result.log}`)
  }
}

/**
 * Codex with a model that calls tools as functions: bgbash's tools are deferred behind Codex's
 * tool search, so the fake model searches for them first. Every other model of Codex 0.169's
 * catalog is "code_mode_only"; gpt-5.5 (listed as "Legacy coding model") is the one that is not.
 */
export const runCodex: Driver = (options) => runCodexWith(options, { model: 'gpt-5.5', mode: 'tools' })

/**
 * Codex as installed, with its default model (code mode only): the only tool is `exec`, which runs
 * JavaScript; the fake model calls bgbash's tool from it and prints the result object with `text()`.
 */
export const runCodexCodeMode: Driver = (options) => runCodexWith(options, { mode: 'code' })

export async function runCodexWith(
  options: DriverOptions,
  { model, mode }: { model?: string; mode: FakeModelMode },
): Promise<DriverResult> {
  const executable = await installHarness('codex')
  const fake = await startFakeResponses(options.scenario, { mode })
  const codexHome = path.join(options.harnessHome, '.codex')
  try {
    fs.mkdirSync(codexHome, { recursive: true })
    fs.mkdirSync(path.join(options.harnessHome, 'tmp'), { recursive: true })
    fs.writeFileSync(
      path.join(codexHome, 'config.toml'),
      codexConfig({ baseUrl: fake.baseUrl, home: options.home, model }),
    )
    const run = await runExec({
      executable,
      args: codexArgs({ cwd: options.cwd, prompt: options.scenario.prompt }),
      cwd: options.cwd,
      env: codexEnv({ harnessHome: options.harnessHome, codexHome, proxyUrl: fake.baseUrl }),
      signal: options.signal,
      finished: fake.finished,
    })
    const result: DriverResult = {
      seen: fake.seen,
      requests: fake.requests,
      toolDefinitions: fake.toolDefinitions,
      exitCode: run.exitCode,
      log: formatLog(run, fake),
    }
    if (run.failure) throw new CodexRunError(run.failure, result)
    return result
  } finally {
    await fake.close()
  }
}

/** The config.toml Codex reads from CODEX_HOME. */
export function codexConfig({
  baseUrl,
  home,
  model,
}: {
  baseUrl: string
  home: string
  /** Default: none in the file, so Codex picks its default model. */
  model?: string
}): string {
  const q = (value: string) => JSON.stringify(value)
  return `${[
    ...(model ? [`model = ${q(model)}`] : []),
    'model_provider = "fake"',
    // Nobody answers a prompt in CI. MCP calls are approved by the server's own setting below.
    'approval_policy = "never"',
    // Nothing but the fake server may be reached: no update check, no analytics, no web search.
    'check_for_update_on_startup = false',
    'web_search = "disabled"',
    '',
    '[features]',
    // The curated-plugin sync at start-up calls github.com, api.github.com and chatgpt.com.
    'plugins = false',
    '',
    '[analytics]',
    'enabled = false',
    '',
    '[feedback]',
    'enabled = false',
    '',
    // The model's own commands (native exec_command) may open sockets: without it a dev server
    // cannot listen (EPERM) and `node --test` loses its test processes ("test failed", no output).
    '[sandbox_workspace_write]',
    'network_access = true',
    '',
    '[history]',
    'persistence = "none"',
    '',
    '[model_providers.fake]',
    'name = "fake"',
    `base_url = ${q(baseUrl)}`,
    'wire_api = "responses"',
    `env_key = ${q(API_KEY_ENV)}`,
    // A failed request is a failed run: retries would only hide the fake server's error.
    'request_max_retries = 0',
    'stream_max_retries = 0',
    '',
    `[mcp_servers.${MCP_SERVER_NAME}]`,
    `command = ${q(process.execPath)}`,
    `args = ${JSON.stringify([BGBASH_BIN, 'mcp', '--home', home])}`,
    'required = true',
    'startup_timeout_sec = 30',
    'tool_timeout_sec = 60',
    // Without it, every tool not marked readOnlyHint is refused under approval_policy "never":
    // the model is shown "MCP tool call requires approval, but approval policy is never".
    'default_tools_approval_mode = "approve"',
  ].join('\n')}\n`
}

/** `codex exec` as a CI job would run it. */
export function codexArgs({ cwd, prompt }: { cwd: string; prompt: string }): string[] {
  return [
    'exec',
    '--strict-config',
    '--skip-git-repo-check',
    '--sandbox',
    'workspace-write',
    '--json',
    '--color',
    'never',
    '--cd',
    cwd,
    prompt,
  ]
}

/**
 * Only what Codex needs, so nothing of the caller's own setup (an OPENAI_API_KEY, a real
 * ~/.codex) leaks in. Every proxy variable points at the fake server, which refuses and logs
 * whatever would have gone to another host.
 */
function codexEnv({
  harnessHome,
  codexHome,
  proxyUrl,
}: {
  harnessHome: string
  codexHome: string
  proxyUrl: string
}): NodeJS.ProcessEnv {
  const proxy = new URL(proxyUrl).origin
  return {
    PATH: process.env.PATH,
    LANG: 'C.UTF-8',
    HOME: harnessHome,
    CODEX_HOME: codexHome,
    XDG_CONFIG_HOME: path.join(harnessHome, '.config'),
    XDG_CACHE_HOME: path.join(harnessHome, '.cache'),
    XDG_DATA_HOME: path.join(harnessHome, '.local', 'share'),
    XDG_STATE_HOME: path.join(harnessHome, '.local', 'state'),
    TMPDIR: path.join(harnessHome, 'tmp'),
    [API_KEY_ENV]: 'sk-fake-bgbash',
    HTTP_PROXY: proxy,
    HTTPS_PROXY: proxy,
    ALL_PROXY: proxy,
    http_proxy: proxy,
    https_proxy: proxy,
    all_proxy: proxy,
    NO_PROXY: '127.0.0.1,localhost',
    no_proxy: '127.0.0.1,localhost',
    // BGBASH_CODEX_RUST_LOG=info shows Codex's start-up (MCP handshake, tool catalog) in the log.
    RUST_LOG: process.env.BGBASH_CODEX_RUST_LOG ?? 'warn',
  }
}

interface ExecRun {
  exitCode: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  /** Why the run failed, when it did: a timeout, an abort, or the fake server's error. */
  failure?: string
}

/**
 * Runs Codex in its own process group (the npm wrapper, the native binary and bgbash's MCP
 * server), until it exits; on a timeout, an abort or a scenario error, kills the whole group.
 */
async function runExec({
  executable,
  args,
  cwd,
  env,
  signal,
  finished,
}: {
  executable: string
  args: string[]
  cwd: string
  env: NodeJS.ProcessEnv
  signal: AbortSignal | undefined
  finished: Promise<void>
}): Promise<ExecRun> {
  const child = spawn(executable, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk
  })
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk
  })
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.once('error', reject)
    child.once('close', (code, sig) => resolve({ code, signal: sig }))
  })
  let failure: string | undefined
  let scenarioEnded = false
  const stop = (why: string) => {
    failure ??= why
    killGroup(child.pid, exited)
  }
  const timer = setTimeout(
    () => stop(`codex exec did not finish within ${RUN_TIMEOUT_MS} ms`),
    RUN_TIMEOUT_MS,
  )
  const onAbort = () => stop('aborted')
  signal?.addEventListener('abort', onAbort, { once: true })
  if (signal?.aborted) onAbort()
  finished.then(
    () => {
      scenarioEnded = true
    },
    (error: Error) => stop(`the fake model could not go on: ${error.message}`),
  )
  try {
    const end = await exited
    if (!scenarioEnded) failure ??= `codex exec exited (${end.code ?? end.signal}) before the scenario ended`
    return { exitCode: end.code, signal: end.signal, stdout, stderr, failure }
  } finally {
    clearTimeout(timer)
    signal?.removeEventListener('abort', onAbort)
    // The group may hold more than Codex (bgbash's server if Codex left it): end it all.
    killGroup(child.pid, exited)
  }
}

/** SIGTERM to the group, SIGKILL after a grace unless it has exited by then. */
function killGroup(pid: number | undefined, exited: Promise<unknown>): void {
  if (pid === undefined) return
  if (!signalGroup(pid, 'SIGTERM')) return
  const timer = setTimeout(() => signalGroup(pid, 'SIGKILL'), KILL_GRACE_MS)
  exited.finally(() => {
    clearTimeout(timer)
    signalGroup(pid, 'SIGKILL')
  })
}

function signalGroup(pid: number, sig: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, sig)
    return true
  } catch {
    // ESRCH: the group is gone already, which is what we want.
    return false
  }
}

function formatLog(run: ExecRun, fake: FakeResponses): string {
  return [
    `codex exit: ${run.exitCode ?? run.signal}`,
    '--- fake model ---',
    ...fake.log,
    '--- codex stdout ---',
    run.stdout.trimEnd(),
    '--- codex stderr ---',
    run.stderr.trimEnd(),
  ].join('\n')
}
