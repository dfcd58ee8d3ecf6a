// Records of what a finished command left running: leftovers.json and leftovers-killed.json.
import type { LeftoverProcess } from '../types.js'
import { createFileExclusive, readJsonIfExists, writeFileAtomic } from './fsx.js'
import type { TaskPaths } from './paths.js'

// biome-ignore lint/suspicious/noExplicitAny: parsed JSON of a record written by this module
type Raw = any

/**
 * leftovers.json: processes that outlived the task's shell. Kept apart from end.json because
 * finding them means scanning every process (about 5 ms here), which must not delay the
 * completion: it is written right after the terminal record.
 */
export function writeLeftovers(paths: TaskPaths, leftovers: LeftoverProcess[]): void {
  writeFileAtomic(
    paths.leftovers,
    JSON.stringify(
      leftovers.map((proc) => ({
        pid: proc.pid,
        command: proc.command,
        name: proc.name,
        start_time: proc.startTime,
      })),
    ),
  )
}

export function readLeftovers(paths: TaskPaths): LeftoverProcess[] | undefined {
  const raw = readJsonIfExists<Raw[]>(paths.leftovers)
  if (!Array.isArray(raw)) return undefined
  return raw
    .filter((proc) => typeof proc?.pid === 'number')
    .map((proc) => ({
      pid: proc.pid,
      command: String(proc.command ?? ''),
      ...(typeof proc.name === 'string' ? { name: proc.name } : {}),
      ...(typeof proc.start_time === 'number' ? { startTime: proc.start_time } : {}),
    }))
}

/** leftovers-killed.json: what a kill of the ended task stopped (the first such kill's note). */
export interface LeftoversKilled {
  at: number
  by: string
  processes: LeftoverProcess[]
}

export function createLeftoversKilled(paths: TaskPaths, note: LeftoversKilled): void {
  createFileExclusive(
    paths.leftoversKilled,
    JSON.stringify({
      at: note.at,
      by: note.by,
      processes: note.processes.map(({ pid, command }) => ({ pid, command })),
    }),
    false,
  )
}

export function readLeftoversKilled(paths: TaskPaths): LeftoversKilled | undefined {
  const raw: Raw = readJsonIfExists(paths.leftoversKilled)
  if (!raw || typeof raw.at !== 'number' || !Array.isArray(raw.processes)) return undefined
  return { at: raw.at, by: String(raw.by), processes: raw.processes }
}
