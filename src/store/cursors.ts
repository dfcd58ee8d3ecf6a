import { createHash } from 'node:crypto'
import path from 'node:path'
import { BgbashError } from '../errors.js'
import { readJsonIfExists, writeFileAtomic } from './fsx.js'
import type { TaskPaths } from './paths.js'

/** Longest reader name: session ids are often a project path. */
const MAX_READER_CHARS = 4096

interface CursorFile {
  reader: string
  offset: number
}

function checkReader(reader: string): void {
  if (typeof reader !== 'string' || reader.length === 0 || reader.length > MAX_READER_CHARS) {
    throw new BgbashError(
      'invalid_request',
      `Invalid reader: use a non-empty string of at most ${MAX_READER_CHARS} characters.`,
    )
  }
}

/**
 * A reader's cursor over one task's output, `cursor-<16 hex of sha256(reader)>.json` in the task's
 * directory (so any reader name is a safe file name), holding the offset just after what it read.
 */
function getCursorPath(paths: TaskPaths, reader: string): string {
  const key = createHash('sha256').update(reader).digest('hex').slice(0, 16)
  return path.join(paths.dir, `cursor-${key}.json`)
}

/** Where a reader's "new since my last read" starts; 0 before its first read. */
export function readCursor(paths: TaskPaths, reader: string): number {
  checkReader(reader)
  const cursor = readJsonIfExists<CursorFile>(getCursorPath(paths, reader))
  const offset = cursor?.reader === reader ? cursor.offset : undefined
  return Number.isSafeInteger(offset) && (offset as number) >= 0 ? (offset as number) : 0
}

/** Moves a reader's cursor forward (never back) to `offset`; returns where it now stands. */
export function advanceCursor(paths: TaskPaths, reader: string, offset: number): number {
  const current = readCursor(paths, reader)
  if (offset <= current) return current
  const cursor: CursorFile = { reader, offset }
  writeFileAtomic(getCursorPath(paths, reader), `${JSON.stringify(cursor)}\n`)
  return offset
}
