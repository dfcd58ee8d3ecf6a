import { compilePattern } from '../../faces/pattern.js'
import { describeReadiness, parseReadySpec } from '../../faces/readiness.js'
import type { ReadyResult, ShellName, SpawnedTask, SpawnOptions } from '../../index.js'
import { TIMEOUT_EXIT_CODE } from '../../index.js'
import { type CliContext, withManager } from '../context.js'
import { parseDuration } from '../duration.js'
import { getTaskExitCode, INTERRUPTED_EXIT_CODE } from '../exit-code.js'
import { printFollow } from '../follow.js'
import { writeLine } from '../io.js'
import { formatJson } from '../json.js'
import { UsageError } from '../usage-error.js'

export interface RunOptions {
  cwd?: string
  timeout?: string
  env?: string[]
  wait?: boolean
  shell?: string
  description?: string
  readyWhen?: string
  failOn?: string
  readyTimeout?: string
}

/** `bgbash run -- <command…>`: starts a task and prints its id, or with --wait streams it to the end. */
export async function runRun(ctx: CliContext, words: string[], options: RunOptions): Promise<number> {
  const spawn = getSpawnOptions(ctx, words, options)
  return withManager(ctx, async (tm) => {
    const record = await tm.spawn(spawn)
    if (record.ready) return reportReadiness(ctx, record, record.ready)
    if (!options.wait) {
      if (ctx.json) ctx.io.stdout.write(formatJson(record))
      else writeLine(ctx.io.stdout, record.taskId)
      return 0
    }
    if (!ctx.json) {
      writeLine(
        ctx.io.stderr,
        ctx.color.dim(`bgbash: ${record.taskId} started (Ctrl-C stops watching; the task keeps running)`),
      )
    }
    const ended = await printFollow(ctx, tm, record.taskId, { fromOffset: 0, raw: false })
    if (!ended) {
      writeLine(
        ctx.io.stderr,
        `bgbash: stopped watching ${record.taskId}; it keeps running. Follow it again: bgbash logs -f ${record.taskId}`,
      )
      return INTERRUPTED_EXIT_CODE
    }
    if (!ctx.json && ended.status !== 'completed') {
      const code = ended.exitCode === null ? '' : ` (exit ${ended.exitCode})`
      writeLine(ctx.io.stderr, ctx.color.red(`bgbash: ${ended.taskId} ${ended.status}${code}`))
    }
    return getTaskExitCode(ended)
  })
}

function getSpawnOptions(ctx: CliContext, words: string[], options: RunOptions): SpawnOptions {
  if (words.length === 0) throw new UsageError('Missing command: bgbash run -- <command…>.')
  const env: Record<string, string> = {}
  for (const pair of options.env ?? []) {
    const equals = pair.indexOf('=')
    if (equals <= 0) throw new UsageError(`Invalid --env: ${JSON.stringify(pair)}. Use --env NAME=value.`)
    env[pair.slice(0, equals)] = pair.slice(equals + 1)
  }
  const shell = options.shell
  if (shell !== undefined && shell !== 'bash' && shell !== 'sh' && shell !== 'zsh') {
    throw new UsageError(`Invalid --shell: ${JSON.stringify(shell)}. Use bash, sh or zsh.`)
  }
  if (
    options.readyWhen === undefined &&
    (options.failOn !== undefined || options.readyTimeout !== undefined)
  ) {
    throw new UsageError('--fail-on and --ready-timeout only apply with --ready-when.')
  }
  if (options.readyWhen !== undefined && options.wait) {
    throw new UsageError(
      '--ready-when and --wait cannot be combined: one returns when ready, the other at the end.',
    )
  }
  return {
    command: joinCommand(words),
    cwd: options.cwd ?? ctx.io.cwd,
    env: Object.keys(env).length > 0 ? env : undefined,
    timeoutMs: options.timeout === undefined ? undefined : parseTimeout(options.timeout),
    shell: shell as ShellName | undefined,
    description: options.description,
    ...(options.readyWhen === undefined
      ? {}
      : {
          readyWhen: parseReadySpec(options.readyWhen, '--ready-when'),
          failOn: options.failOn === undefined ? undefined : compilePattern('--fail-on', options.failOn),
          readyTimeoutMs:
            options.readyTimeout === undefined
              ? undefined
              : parseDuration(options.readyTimeout, '--ready-timeout'),
        }),
  }
}

/**
 * Prints the task id and how the wait for readiness ended. Exit code: 0 ready; 124 not ready in
 * time; 1 on the failure pattern; the task's own code (at least 1) when it ended first.
 */
function reportReadiness(ctx: CliContext, record: SpawnedTask, ready: ReadyResult): number {
  if (ctx.json) ctx.io.stdout.write(formatJson(record))
  else writeLine(ctx.io.stdout, record.taskId)
  if (!ctx.json) {
    const line = `bgbash: ${record.taskId} ${describeReadiness(ready)}`
    writeLine(ctx.io.stderr, ready.reason === 'ready' ? ctx.color.green(line) : ctx.color.red(line))
    const next =
      ready.reason === 'timeout'
        ? `it keeps running: bgbash logs ${record.taskId}, or bgbash kill ${record.taskId}`
        : ready.reason === 'fail_match'
          ? `its output: bgbash logs ${record.taskId}; stop it: bgbash kill ${record.taskId}`
          : undefined
    if (next) writeLine(ctx.io.stderr, ctx.color.dim(`bgbash: ${next}`))
  }
  switch (ready.reason) {
    case 'ready':
      return 0
    case 'timeout':
      return TIMEOUT_EXIT_CODE
    case 'fail_match':
      return 1
    default:
      return getTaskExitCode(record) || 1
  }
}

/**
 * One word is a shell line as typed (`bgbash run -- 'npm test && npm run build'`); several words
 * are a command and its arguments, quoted where the shell would otherwise split or expand them.
 */
export function joinCommand(words: string[]): string {
  if (words.length === 1) return words[0] ?? ''
  return words
    .map((word) => (/^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`))
    .join(' ')
}

/** `--timeout none` (or 0) runs without a deadline; otherwise a duration. */
function parseTimeout(text: string): number {
  if (text === 'none' || text === '0') return 0
  return parseDuration(text, '--timeout')
}
