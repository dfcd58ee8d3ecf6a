// The OpenCode driver of the client matrix: the real `opencode run`, pinned, against the fake Chat
// Completions server, with `bgbash mcp` as its MCP server.

import { type ChildProcess, spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { BGBASH_BIN, installHarness } from '../install.js'
import type { Driver } from '../scenario.js'
import { linkConfigDeps } from './config-deps.js'
import { FAKE_MODEL, startFakeChat } from './fake-chat.js'

/** The MCP server's name in OpenCode's config; OpenCode names its tools `<server>_<tool>`. */
const SERVER_NAME = 'bgbash'
const PROVIDER_ID = 'fake'

/** A whole run of the matrix scenario takes 15–30 s on a shared, loaded 2-core machine. */
const RUN_TIMEOUT_MS = 120_000
/** How long OpenCode gets after SIGTERM before SIGKILL. */
const KILL_GRACE_MS = 3_000

/**
 * Keeps OpenCode offline and deterministic: no models.dev fetch (its bundled snapshot and our
 * provider config are enough), no self-update, no LSP server downloads, no sharing, and no config,
 * AGENTS.md or CLAUDE.md picked up from directories above the project. With these (and the
 * config-dir install that config-deps.ts makes unnecessary), strace shows no connection but the
 * one to the fake server.
 */
const OFFLINE_ENV = {
  OPENCODE_DISABLE_MODELS_FETCH: '1',
  OPENCODE_DISABLE_AUTOUPDATE: '1',
  OPENCODE_DISABLE_LSP_DOWNLOAD: '1',
  OPENCODE_DISABLE_SHARE: '1',
  OPENCODE_DISABLE_PROJECT_CONFIG: '1',
  OPENCODE_DISABLE_CLAUDE_CODE: '1',
}

/** The OpenCode config for one run (written to `<harnessHome>/opencode.json`, named by OPENCODE_CONFIG). */
export function getOpenCodeConfig({ baseUrl, home }: { baseUrl: string; home: string }): unknown {
  const model = `${PROVIDER_ID}/${FAKE_MODEL}`
  return {
    $schema: 'https://opencode.ai/config.json',
    model,
    small_model: model,
    enabled_providers: [PROVIDER_ID],
    autoupdate: false,
    share: 'disabled',
    snapshot: false,
    lsp: false,
    formatter: false,
    provider: {
      [PROVIDER_ID]: {
        npm: '@ai-sdk/openai-compatible',
        name: 'Fake model server',
        options: { baseURL: baseUrl, apiKey: 'fake-key' },
        models: {
          [FAKE_MODEL]: {
            name: 'Fake model',
            tool_call: true,
            limit: { context: 200_000, output: 8_192 },
          },
        },
      },
    },
    mcp: {
      [SERVER_NAME]: {
        type: 'local',
        command: [process.execPath, BGBASH_BIN, 'mcp', '--home', home],
        environment: { BGBASH_HOME: home },
        enabled: true,
      },
    },
    permission: { '*': 'allow' },
  }
}

/** The environment OpenCode runs in: its HOME and XDG dirs inside harnessHome, nothing inherited but PATH. */
export function getOpenCodeEnv({ harnessHome }: { harnessHome: string }): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    LANG: 'C.UTF-8',
    HOME: harnessHome,
    TMPDIR: path.join(harnessHome, 'tmp'),
    XDG_CONFIG_HOME: path.join(harnessHome, '.config'),
    XDG_DATA_HOME: path.join(harnessHome, '.local', 'share'),
    XDG_CACHE_HOME: path.join(harnessHome, '.cache'),
    XDG_STATE_HOME: path.join(harnessHome, '.local', 'state'),
    OPENCODE_CONFIG: path.join(harnessHome, 'opencode.json'),
    ...OFFLINE_ENV,
  }
}

export const runOpenCode: Driver = async ({ scenario, home, cwd, harnessHome, signal }) => {
  const executable = await installHarness('opencode')
  const env = getOpenCodeEnv({ harnessHome })
  fs.mkdirSync(env.TMPDIR!, { recursive: true })
  await linkConfigDeps({ executable, configDir: path.join(env.XDG_CONFIG_HOME!, 'opencode') })
  const fake = await startFakeChat({ scenario, toolPrefix: `${SERVER_NAME}_` })
  fs.writeFileSync(
    env.OPENCODE_CONFIG!,
    `${JSON.stringify(getOpenCodeConfig({ baseUrl: fake.baseUrl, home }), null, 2)}\n`,
  )

  const args = ['run', '--print-logs', '--log-level', 'INFO', '--format', 'json', scenario.prompt]
  const child = spawn(executable, args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
  let log = ''
  child.stdout.on('data', (chunk: Buffer) => {
    log += chunk.toString('utf8')
  })
  child.stderr.on('data', (chunk: Buffer) => {
    log += chunk.toString('utf8')
  })

  const exited = new Promise<number | null>((resolve, reject) => {
    child.once('error', reject)
    child.once('exit', (code) => resolve(code))
  })
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()))
  let stopReason: string | undefined
  const stop = (reason: string) => {
    stopReason ??= reason
    killGroup(child)
  }
  const onAbort = () => stop('it was aborted')
  signal?.addEventListener('abort', onAbort, { once: true })
  if (signal?.aborted) onAbort()
  const timer = setTimeout(() => stop(`it timed out after ${RUN_TIMEOUT_MS} ms`), RUN_TIMEOUT_MS)
  // OpenCode exits by itself after the final answer; a failure found by the fake server ends it early
  // (it may be answering errors that OpenCode would retry).
  void fake.finished.then(() => fake.record.failure && stop('the fake model failed'))

  let exitCode: number | null
  try {
    exitCode = await exited
  } finally {
    clearTimeout(timer)
    signal?.removeEventListener('abort', onAbort)
    // Whatever OpenCode left behind in its group (the bgbash MCP server) goes with it.
    signalGroup(child, 'SIGKILL')
    await closed
    await fake.close()
  }

  const { seen, requests, toolDefinitions, failure } = fake.record
  const problem =
    stopReason ??
    (exitCode !== 0 ? `it exited with ${exitCode}` : undefined) ??
    (seen.length < scenario.steps.length
      ? `the model saw ${seen.length} of ${scenario.steps.length} results`
      : undefined)
  if (problem || failure)
    throw new Error(
      `OpenCode run failed: ${[problem, failure?.message].filter(Boolean).join('; ')}: ${executable} ${args.join(' ')}\n--- log ---\n${log}`,
      { cause: failure },
    )
  return { seen, requests, toolDefinitions, exitCode, log }
}

/** SIGTERM to OpenCode's process group, then SIGKILL if it is still there after a grace period. */
function killGroup(child: ChildProcess): void {
  signalGroup(child, 'SIGTERM')
  const escalate = setTimeout(() => signalGroup(child, 'SIGKILL'), KILL_GRACE_MS)
  escalate.unref()
  child.once('close', () => clearTimeout(escalate))
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return
  try {
    process.kill(-child.pid, signal)
  } catch {
    // The group is gone already: nothing left to end.
  }
}
