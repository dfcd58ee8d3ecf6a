// Parameter schemas shared by several tools, each described for the model.
import * as z from 'zod'
import { TASK_ID_PATTERN } from '../../index.js'

export { compilePattern } from '../pattern.js'

/** Longest any wait of one tool call may last: 10 minutes (SPEC §8 bash_wait). */
export const MAX_WAIT_MS = 10 * 60 * 1000
/** Default wait of `bash` and `bash_wait`: 30 s (SPEC §8). */
export const DEFAULT_WAIT_MS = 30_000

export const taskIdSchema = z
  .string({ error: 'task_id must be a string like bgb-1a2b3c4d' })
  .regex(TASK_ID_PATTERN, {
    error:
      'task_id must look like bgb-1a2b3c4d (bgb- and 8 hex digits; bash- and 16 for a task started over NDJSON)',
  })
  .describe('Task id returned by bash, e.g. bgb-1a2b3c4d')

export const allSessionsSchema = z
  .boolean()
  .optional()
  .describe(
    "bash_list: also list the tasks other clients started in this project (default false: only this server's). Elsewhere no longer needed: any task of this project is found by id",
  )

/** A regular expression given as text: `error|fail` or `/ready in \d+ms/i`. */
export function patternSchema(what: string) {
  return z
    .string({ error: `${what} must be a string holding a regular expression` })
    .min(1, { error: `${what} must not be empty` })
    .max(4096, { error: `${what} is too long (at most 4096 characters)` })
}

/** An integer parameter with bounds, named in its errors. */
export function intSchema(name: string, min: number, max: number) {
  return z
    .number({ error: `${name} must be a number` })
    .int({ error: `${name} must be a whole number` })
    .min(min, { error: `${name} must be at least ${min}` })
    .max(max, { error: `${name} must be at most ${max}` })
}
