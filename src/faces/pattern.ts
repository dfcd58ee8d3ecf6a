// Regular expressions given as text by a model or a person, shared by every face.
import { BgbashError } from '../index.js'

const SLASHED = /^\/(.+)\/([imsu]*)$/s

/** Compiles a pattern parameter; `/…/flags` form allowed. Throws `invalid_request` with the reason. */
export function compilePattern(name: string, source: string): RegExp {
  const slashed = SLASHED.exec(source)
  try {
    return slashed ? new RegExp(slashed[1]!, slashed[2]) : new RegExp(source)
  } catch (error) {
    throw new BgbashError(
      'invalid_request',
      `Invalid ${name} pattern: ${(error as Error).message}. Use a JavaScript regular expression, e.g. "error|fail" or "/ready/i".`,
    )
  }
}
