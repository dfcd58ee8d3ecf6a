// Parameter schemas shared by several tools, each described for the model.
import * as z from 'zod'
import { TASK_ID_PATTERN } from '../../index.js'

export { compilePattern } from '../pattern.js'

/**
 * Longest any wait of one tool call may last: 4 minutes, under the smallest hard tool-call timeout
 * of the clients we test (Codex: 300 s). A longer wait asked for is cut to this, not refused.
 */
export const MAX_WAIT_MS = 4 * 60 * 1000
/** Default wait of `bash` and `bash_wait`: 30 s (SPEC §8). */
export const DEFAULT_WAIT_MS = 30_000

export const taskIdSchema = z
  .string({ error: 'task_id must be a string like bgb-1a2b3c4d' })
  .regex(TASK_ID_PATTERN, {
    error:
      'task_id must look like bgb-1a2b3c4d (bgb- and 8 hex digits; bash- and 16 for a task started over NDJSON)',
  })
  .describe('e.g. bgb-1a2b3c4d')

/** A regular expression given as text: `error|fail` or `/ready in \d+ms/i`. */
export function patternSchema(what: string) {
  return z
    .string({ error: `${what} must be a string holding a regular expression` })
    .min(1, { error: `${what} must not be empty` })
    .max(4096, { error: `${what} is too long (at most 4096 characters)` })
}

/**
 * A wait in ms: at least `min`; a longer one than MAX_WAIT_MS is cut to it (a model asking for
 * 10 minutes gets 4 and is told it may wait again), so no client's own timeout cuts the call.
 */
export function waitSchema(name: string, min: number) {
  return z
    .number({ error: `${name} must be a number` })
    .int({ error: `${name} must be a whole number` })
    .min(min, { error: `${name} must be at least ${min}` })
    .transform((ms) => Math.min(ms, MAX_WAIT_MS))
}

/** An integer parameter with bounds, named in its errors. */
export function intSchema(name: string, min: number, max: number) {
  return z
    .number({ error: `${name} must be a number` })
    .int({ error: `${name} must be a whole number` })
    .min(min, { error: `${name} must be at least ${min}` })
    .max(max, { error: `${name} must be at most ${max}` })
}
