import fs from 'node:fs'
import path from 'node:path'
import {
  BLOCKED_ENV_PREFIX,
  BLOCKED_ENV_VARS,
  DEFAULT_TIMEOUT_MS,
  MAX_ARG_BYTES,
  MAX_COMMAND_BYTES,
  MAX_TIMEOUT_MS,
} from '../constants.js'
import { BgbashError } from '../errors.js'
import type { SpawnOptions } from '../types.js'

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/
const SPAWN_KEYS = new Set([
  'command',
  'cwd',
  'env',
  'timeoutMs',
  'notify',
  'shell',
  'description',
  'stdin',
  // Checked by checkReadyOptions (ready.ts).
  'readyWhen',
  'failOn',
  'readyTimeoutMs',
])

export interface ValidSpawn {
  command: string
  cwd: string
  env: Record<string, string>
  timeoutMs: number
  notify: boolean
  shell: string | undefined
  description: string | undefined
  stdin: boolean
}

function invalid(message: string): BgbashError {
  return new BgbashError('invalid_request', message)
}

/** Checks spawn input before anything is written (SPEC §4). */
export function validateSpawn(options: SpawnOptions, defaultCwd: string): ValidSpawn {
  if (!options || typeof options !== 'object')
    throw invalid('Invalid spawn options: expected an object with a command.')
  for (const key of Object.keys(options)) {
    if (!SPAWN_KEYS.has(key))
      throw invalid(`Unknown spawn option: ${key}. Known: ${[...SPAWN_KEYS].join(', ')}.`)
  }
  const { command } = options
  if (typeof command !== 'string' || command.trim() === '') {
    throw invalid('Invalid command: it must be a non-empty string. Pass the shell command to run.')
  }
  if (Buffer.byteLength(command) > MAX_COMMAND_BYTES) {
    throw invalid(
      `Invalid command: longer than ${MAX_COMMAND_BYTES} bytes. Put long scripts in a file and run that.`,
    )
  }
  if (command.includes('\0')) throw invalid('Invalid command: it contains a NUL byte.')
  return {
    command,
    cwd: checkCwd(options.cwd, defaultCwd),
    env: checkEnv(options.env),
    timeoutMs: checkTimeout(options.timeoutMs),
    notify: checkBoolean('notify', options.notify, true),
    shell: options.shell,
    description: checkDescription(options.description),
    stdin: checkBoolean('stdin', options.stdin, false),
  }
}

function checkBoolean(name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback
  if (typeof value !== 'boolean')
    throw invalid(`Invalid ${name}: ${JSON.stringify(value)}. Use true or false.`)
  return value
}

function checkDescription(value: unknown): string | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'string' || value.length > 1000) {
    throw invalid('Invalid description: use a string of at most 1000 characters.')
  }
  return value
}

function checkTimeout(value: unknown): number {
  if (value === undefined) return DEFAULT_TIMEOUT_MS
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_TIMEOUT_MS) {
    throw invalid(
      `Invalid timeout: ${JSON.stringify(value)}. Use an integer number of ms from 1 to ${MAX_TIMEOUT_MS} (7 days), or 0 for none.`,
    )
  }
  return value
}

function checkCwd(value: unknown, fallback: string): string {
  if (value !== undefined && (typeof value !== 'string' || value === '')) {
    throw invalid('Invalid cwd: use a non-empty path string.')
  }
  const cwd = path.resolve(fallback, (value as string | undefined) ?? '.')
  let isDir = false
  try {
    isDir = fs.statSync(cwd).isDirectory()
  } catch {
    isDir = false
  }
  if (!isDir) {
    throw new BgbashError(
      'cwd_not_found',
      `Working directory not found: ${cwd}. Pass an existing directory as cwd.`,
      {
        data: { cwd },
      },
    )
  }
  return cwd
}

function checkEnv(value: unknown): Record<string, string> {
  if (value === undefined) return {}
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw invalid('Invalid env: use an object of NAME: "value" strings.')
  }
  const env: Record<string, string> = {}
  for (const [key, val] of Object.entries(value)) {
    if (!ENV_NAME.test(key))
      throw invalid(`Invalid env name: ${JSON.stringify(key)}. Use letters, digits and _.`)
    if (BLOCKED_ENV_VARS.has(key) || key.startsWith(BLOCKED_ENV_PREFIX)) {
      throw new BgbashError(
        'blocked_env_var',
        `Blocked environment variable: ${key}. It changes how programs load or parse; set it inside the command if you must.`,
        { data: { name: key } },
      )
    }
    if (typeof val !== 'string' || val.includes('\0')) {
      throw invalid(`Invalid env value for ${key}: use a string without NUL bytes.`)
    }
    const bytes = Buffer.byteLength(key) + 1 + Buffer.byteLength(val) + 1
    if (bytes > MAX_ARG_BYTES) {
      throw invalid(
        `Invalid env value for ${key}: ${bytes} bytes, over the ${MAX_ARG_BYTES} Linux passes per variable. Put it in a file and read that.`,
      )
    }
    env[key] = val
  }
  return env
}

/** A wait's `timeoutMs`: an integer number of ms ≥ 0, or none. */
export function checkWaitTimeout(timeoutMs: number | undefined): void {
  if (timeoutMs !== undefined && (!Number.isInteger(timeoutMs) || timeoutMs < 0)) {
    throw new BgbashError(
      'invalid_request',
      `Invalid timeout: ${timeoutMs}. Use an integer number of ms ≥ 0.`,
    )
  }
}
