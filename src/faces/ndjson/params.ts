import { isTaskId } from '../../index.js'
import { isWellFormedId, taskNotFound, WireError } from './protocol.js'

// Typed readers for request params: each names the command and the field in its error.

type Params = Record<string, unknown>

function fail(command: string, message: string): never {
  throw new WireError('invalid_request', `${command}: ${message}`)
}

export function readString(command: string, params: Params, key: string, required: true): string
export function readString(command: string, params: Params, key: string, required?: false): string | undefined
export function readString(
  command: string,
  params: Params,
  key: string,
  required = false,
): string | undefined {
  const value = params[key]
  if (value === undefined || value === null) {
    if (required) fail(command, `missing ${key}`)
    return undefined
  }
  if (typeof value !== 'string') fail(command, `${key} must be a string`)
  return value
}

export function readBoolean(command: string, params: Params, key: string, fallback: boolean): boolean {
  const value = params[key]
  if (value === undefined || value === null) return fallback
  if (typeof value !== 'boolean') fail(command, `${key} must be true or false`)
  return value
}

export function readInteger(
  command: string,
  params: Params,
  key: string,
  min: number,
  max: number,
): number | undefined {
  const value = params[key]
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    fail(command, `${key} must be an integer from ${min} to ${max}`)
  }
  return value
}

export function readStringMap(
  command: string,
  params: Params,
  key: string,
): Record<string, string> | undefined {
  const value = params[key]
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'object' || Array.isArray(value)) fail(command, `${key} must be an object of strings`)
  for (const [name, item] of Object.entries(value as Params)) {
    if (typeof item !== 'string') fail(command, `${key}.${name} must be a string`)
  }
  return value as Record<string, string>
}

export function readStringList(command: string, params: Params, key: string): string[] {
  const value = params[key]
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) {
    fail(command, `${key} must be a list of strings`)
  }
  return value as string[]
}

/**
 * A task id, checked before the handler opens its session: a rejected request from a session
 * never seen before must not create that session in the store. A well-formed id that is not one
 * of this store's is not found (AFT's answer); an id that could be a path is refused.
 */
export function readTaskId(command: string, params: Params, key = 'task_id'): string {
  const value = readString(command, params, key, true)
  if (isTaskId(value)) return value
  if (isWellFormedId(value)) throw taskNotFound(value)
  fail(
    command,
    `Invalid task id in ${key}: ${JSON.stringify(String(value).slice(0, 64))}. Task ids look like bash-1a2b3c4d5e6f7a8b.`,
  )
}
