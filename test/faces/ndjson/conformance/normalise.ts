import fs from 'node:fs'
import type { EngineDirs } from './engines.js'

// What differs between two runs of one scenario by nature, not by behaviour: ids, times, pids
// and paths. Each is replaced by a placeholder, so the rest can be compared as it is.

/** Keys holding a time (epoch ms or a duration): only their type is compared. */
const TIME_KEYS = new Set(['started_at', 'finished_at', 'duration_ms', 'elapsed_ms', 'at'])
/** Keys holding a pid. */
const PID_KEYS = new Set(['child_pid', 'pid'])
/** Keys holding the path of a file the engine keeps: compared as "a file of the engine's". */
const FILE_KEYS = new Set(['output_path', 'stderr_path'])

/** Ids one run learned, in the order it learned them: the same order for both engines. */
export class IdBook {
  private readonly names = new Map<string, string>()
  private tasks = 0
  private watches = 0

  task(id: unknown): void {
    if (typeof id === 'string' && !this.names.has(id)) this.names.set(id, `<task-${++this.tasks}>`)
  }

  watch(id: unknown): void {
    if (typeof id === 'string' && !this.names.has(id)) this.names.set(id, `<watch-${++this.watches}>`)
  }

  replaceIn(text: string): string {
    let out = text
    for (const [id, name] of this.names) out = out.split(id).join(name)
    return out
  }
}

/** A copy of a recorded value with ids, times, pids and paths replaced by placeholders. */
export function normalise(value: unknown, ids: IdBook, dirs: EngineDirs, key?: string): unknown {
  if (Array.isArray(value)) return value.map((item) => normalise(item, ids, dirs))
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) out[k] = normalise(v, ids, dirs, k)
    return out
  }
  if (key !== undefined && TIME_KEYS.has(key) && typeof value === 'number') return '<ms>'
  if (key !== undefined && PID_KEYS.has(key) && typeof value === 'number') return '<pid>'
  if (typeof value !== 'string') return value
  if (key !== undefined && FILE_KEYS.has(key) && value.startsWith(`${dirs.storage}/`)) {
    return fs.existsSync(value) ? '<a file in the storage>' : '<a missing file in the storage>'
  }
  return ids
    .replaceIn(value)
    .split(dirs.project)
    .join('<project>')
    .split(dirs.storage)
    .join('<storage>')
    .split(dirs.base)
    .join('<base>')
}
