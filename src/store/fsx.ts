import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { storageError } from '../errors.js'

const { O_CREAT, O_EXCL, O_NOFOLLOW, O_RDONLY, O_WRONLY, O_APPEND } = fs.constants

/** Store directories: private to the owner (SPEC §3). */
export const DIR_MODE = 0o700
/** Store files: private to the owner (SPEC §3). */
export const FILE_MODE = 0o600

/** Flags for reading a store file without following a planted symlink. */
export const READ_FLAGS = O_RDONLY | O_NOFOLLOW
/** Flags for an append-only log, never through a symlink. */
export const APPEND_FLAGS = O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW

/**
 * Makes a private directory, or checks that an existing one is a real directory (not a symlink).
 * Returns false when it existed already.
 */
export function ensurePrivateDir(dir: string): boolean {
  let created = true
  try {
    fs.mkdirSync(dir, { mode: DIR_MODE })
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw storageError('create directory', dir, error)
    created = false
  }
  const stat = fs.lstatSync(dir)
  if (!stat.isDirectory()) {
    throw storageError('use directory', dir, new Error('not a directory (a symlink or file is in the way)'))
  }
  if (!created && (stat.mode & 0o077) !== 0) fs.chmodSync(dir, DIR_MODE)
  return created
}

/** Creates a directory that must not exist yet; false when it does (used for unique task ids). */
export function createDirExclusive(dir: string): boolean {
  try {
    fs.mkdirSync(dir, { mode: DIR_MODE })
    return true
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false
    throw storageError('create directory', dir, error)
  }
}

function tempPathFor(file: string): string {
  return path.join(
    path.dirname(file),
    `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
  )
}

function writeTemp(file: string, data: string): string {
  const temp = tempPathFor(file)
  const fd = fs.openSync(temp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, FILE_MODE)
  let isWritten = false
  try {
    fs.writeSync(fd, data)
    isWritten = true
  } finally {
    fs.closeSync(fd)
    // The caller never learns the name of a temp file that failed (disk full): remove it here.
    if (!isWritten) removeTemp(temp)
  }
  return temp
}

/** Writes a file atomically: a private temp file renamed over the target (never half written). */
export function writeFileAtomic(file: string, data: string): void {
  let temp: string | undefined
  try {
    temp = writeTemp(file, data)
    fs.renameSync(temp, file)
  } catch (error) {
    if (temp) removeTemp(temp)
    throw storageError('write', file, error)
  }
}

/**
 * Creates a file atomically and exclusively: the first writer wins, later ones get false.
 * Whole or absent for every reader (link of a fully written temp file). With `durable`, the file
 * is fsynced right after it becomes visible, off the caller's path: fsync costs about 2 ms here,
 * and a process crash loses nothing that is in the page cache; only a power cut in those few ms
 * could (bgbash does not promise durability across power loss).
 */
export function createFileExclusive(file: string, data: string, durable = true): boolean {
  let temp: string | undefined
  try {
    temp = writeTemp(file, data)
    fs.linkSync(temp, file)
    if (durable) syncInBackground(file)
    return true
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false
    throw storageError('create', file, error)
  } finally {
    if (temp) removeTemp(temp)
  }
}

/**
 * Creates a marker file exclusively: the first creator wins, later ones get false. The claim is
 * the open itself, with no temp file to link and remove after it, so a process killed just after
 * winning has done as little as can be since. A marker is read for its existence: a reader may
 * find it empty for the moment between the open and the write, and it counts all the same.
 * fsynced off the caller's path, as createFileExclusive does.
 */
export function createMarkerExclusive(file: string, data: string): boolean {
  let fd: number
  try {
    fd = fs.openSync(file, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, FILE_MODE)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false
    throw storageError('create', file, error)
  }
  try {
    fs.writeSync(fd, data)
  } catch {
    // Claimed all the same: the marker exists, only its note of who and when is missing.
  } finally {
    fs.closeSync(fd)
  }
  syncInBackground(file)
  return true
}

/**
 * Removes a temp file, best effort: one that cannot be removed is litter for gc, not a failure of
 * the write it served (one unlink; fs.rmSync would lstat it twice first).
 */
function removeTemp(file: string): void {
  try {
    fs.unlinkSync(file)
  } catch {
    // Already gone, or the store refuses: nothing more to do here.
  }
}

/** Reads a small store file as text; undefined when it does not exist. */
export function readFileIfExists(file: string): string | undefined {
  let fd: number
  try {
    fd = fs.openSync(file, READ_FLAGS)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined
    throw storageError('read', file, error)
  }
  try {
    // Records are small: one read into a shared buffer, not readFileSync's fstat and chunks.
    const n = fs.readSync(fd, READ_BUFFER, 0, READ_BUFFER.length, 0)
    return n < READ_BUFFER.length ? READ_BUFFER.toString('utf8', 0, n) : fs.readFileSync(fd, 'utf8')
  } finally {
    fs.closeSync(fd)
  }
}

/** The buffer small records are read into (a longer file is read whole by readFileSync). */
const READ_BUFFER = Buffer.allocUnsafe(16 * 1024)

/** Reads and parses a JSON store file; undefined when absent or not (yet) valid JSON. */
export function readJsonIfExists<T>(file: string): T | undefined {
  const text = readFileIfExists(file)
  if (text === undefined) return undefined
  try {
    return JSON.parse(text) as T
  } catch {
    // A record is written by rename or link, so invalid JSON means someone else's file: treat as absent.
    return undefined
  }
}

export function exists(file: string): boolean {
  try {
    fs.lstatSync(file)
    return true
  } catch {
    return false
  }
}

/** Opens (creating if needed) a private file for appending; the caller closes the fd. */
export function openAppend(file: string): number {
  try {
    return fs.openSync(file, APPEND_FLAGS, FILE_MODE)
  } catch (error) {
    throw storageError('open', file, error)
  }
}

/** fsyncs a file on the thread pool; failures only mean less durability, so they are ignored. */
/** Background fsyncs in flight at most: each holds a descriptor until it is done. */
const MAX_SYNCS_IN_FLIGHT = 4
const syncQueue: string[] = []
let syncsInFlight = 0

/**
 * fsyncs a file on the thread pool, a few at a time: when 1000 tasks end at once, their records
 * queue here rather than each holding a descriptor until its fsync comes round.
 */
function syncInBackground(file: string): void {
  syncQueue.push(file)
  startSyncs()
}

function startSyncs(): void {
  while (syncsInFlight < MAX_SYNCS_IN_FLIGHT && syncQueue.length > 0) {
    const file = syncQueue.shift()!
    syncsInFlight++
    const done = () => {
      syncsInFlight--
      startSyncs()
    }
    fs.open(file, READ_FLAGS, (openError, fd) => {
      if (openError) return done()
      fs.fsync(fd, () => fs.close(fd, done))
    })
  }
}

/** A file's modification time in whole ms, or undefined when it is not there. */
export function readMtime(file: string): number | undefined {
  try {
    return Math.round(fs.statSync(file).mtimeMs)
  } catch {
    return undefined
  }
}
