import fs from 'node:fs'
import { DEFAULT_READ_BYTES } from '../constants.js'
import { BgbashError, storageError } from '../errors.js'
import type { ReadOptions, ReadResult } from '../types.js'
import { READ_FLAGS } from './fsx.js'
import type { TaskPaths } from './paths.js'
import { type DroppedInfo, getDroppedBytes, readDroppedInfo } from './records.js'

/** Size of one backwards step when looking for line starts from the end. */
const TAIL_CHUNK_BYTES = 64 * 1024

/** A window of a log: a read result without the task's status, which the store does not know. */
export type LogWindow = Omit<ReadResult, 'status'>

/** Refuses a count option that is not a safe integer ≥ `min` (`invalid_request`). */
export function checkCount(name: string, value: number | undefined, min: number): void {
  if (value === undefined) return
  if (!Number.isSafeInteger(value) || value < min) {
    throw new BgbashError('invalid_request', `Invalid ${name}: ${value}. Use an integer ≥ ${min}.`)
  }
}

/** Moves an offset out of the punched-out middle of the log. */
function skipHole(offset: number, dropped: DroppedInfo | undefined): number {
  if (dropped && offset >= dropped.headBytes && offset < dropped.droppedUntil) return dropped.droppedUntil
  return offset
}

/** End of the readable run that starts at `offset`: the hole or the end of the file. */
function runEnd(offset: number, total: number, dropped: DroppedInfo | undefined): number {
  if (dropped && offset < dropped.headBytes && dropped.droppedUntil > dropped.headBytes)
    return dropped.headBytes
  return total
}

/** Reads `length` bytes at `offset`, fewer at the end of the file, none for a length below 1. */
function readAt(fd: number, offset: number, length: number): Buffer {
  // A dropped.json that claims more than the file holds puts the hole's end past it.
  const buffer = Buffer.allocUnsafe(Math.max(0, length))
  let got = 0
  while (got < buffer.length) {
    const n = fs.readSync(fd, buffer, got, buffer.length - got, offset + got)
    if (n === 0) break
    got += n
  }
  return buffer.subarray(0, got)
}

/**
 * Length of `bytes` without a UTF-8 character cut short at their end: one whose lead byte asks
 * for more bytes than follow it. A byte that can never start a character is not held back.
 */
export function getUtf8SafeLength(bytes: Buffer): number {
  const end = bytes.length
  // Walk back over at most 3 continuation bytes to the lead byte of the last character.
  let back = 0
  while (back < 3 && back < end && (bytes[end - back - 1]! & 0xc0) === 0x80) back++
  const leadAt = end - back - 1
  if (leadAt < 0) return end
  const lead = bytes[leadAt]!
  const need =
    lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xf0 && lead <= 0xf4 ? 4 : 1
  return need > back + 1 ? leadAt : end
}

/** Offset just after the `lines`-th newline counting back from `end`, not before `floor`. */
function findTailStart(fd: number, end: number, lines: number, floor: number): number {
  let seen = 0
  let pos = end
  let first = true
  while (pos > floor) {
    const start = Math.max(floor, pos - TAIL_CHUNK_BYTES)
    const chunk = readAt(fd, start, pos - start)
    for (let i = chunk.length - 1; i >= 0; i--) {
      if (chunk[i] !== 0x0a) continue
      // A newline that ends the log closes the last line; it does not start a new one.
      if (first && start + i === end - 1) continue
      seen++
      if (seen === lines) return start + i + 1
    }
    first = false
    pos = start
  }
  return floor
}

/** Offset just after the `lines`-th newline from `start`, reading at most `limit` bytes. */
function findHeadEnd(fd: number, start: number, lines: number, limit: number): number {
  let seen = 0
  let pos = start
  while (pos < limit) {
    const chunk = readAt(fd, pos, Math.min(TAIL_CHUNK_BYTES, limit - pos))
    if (chunk.length === 0) break
    for (let i = 0; i < chunk.length; i++) {
      if (chunk[i] === 0x0a && ++seen === lines) return pos + i + 1
    }
    pos += chunk.length
  }
  return limit
}

/** A task's log, open for one read. */
interface OpenLog {
  fd: number
  totalBytes: number
  dropped: DroppedInfo | undefined
  droppedBytes: number
}

/** Runs `read` on the open log; `onMissing` when the task has not written it yet. */
function withLog<T>(paths: TaskPaths, read: (log: OpenLog) => T, onMissing: (droppedBytes: number) => T): T {
  const dropped = readDroppedInfo(paths)
  const droppedBytes = getDroppedBytes(dropped)
  let fd: number
  try {
    fd = fs.openSync(paths.output, READ_FLAGS)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return onMissing(droppedBytes)
    throw storageError('read', paths.output, error)
  }
  try {
    return read({ fd, totalBytes: fs.fstatSync(fd).size, dropped, droppedBytes })
  } finally {
    fs.closeSync(fd)
  }
}

/** Bytes of a log as written, from one read. */
export interface LogBytes {
  /** Absolute offset of the first byte: the offset asked for, or the end of the hole it fell in. */
  offset: number
  bytes: Buffer
  /** Where the next read starts: just after the bytes, or past the hole they stop at. */
  nextOffset: number
  totalBytes: number
  droppedBytes: number
  /** The bytes reach the end of what is written so far. */
  eof: boolean
}

/**
 * Reads at most `maxBytes` of a task's log from `offset`, as written (a character may be cut at
 * either end). Offsets are absolute; a read stops at the part the disk cap dropped and the next
 * one starts after it, so `nextOffset > offset + bytes.length` says the bytes that follow are not
 * the ones that came next.
 */
export function readLogBytes(
  paths: TaskPaths,
  { offset, maxBytes }: { offset: number; maxBytes: number },
): LogBytes {
  return withLog(
    paths,
    ({ fd, totalBytes, dropped, droppedBytes }) => {
      const start = skipHole(Math.min(offset, totalBytes), dropped)
      const bytes = readAt(fd, start, Math.min(runEnd(start, totalBytes, dropped), start + maxBytes) - start)
      const nextOffset = skipHole(start + bytes.length, dropped)
      return { offset: start, bytes, nextOffset, totalBytes, droppedBytes, eof: nextOffset >= totalBytes }
    },
    (droppedBytes) => ({
      offset: 0,
      bytes: Buffer.alloc(0),
      nextOffset: 0,
      totalBytes: 0,
      droppedBytes,
      eof: true,
    }),
  )
}

/**
 * Reads a window of a task's log without loading the whole file. Offsets are absolute over
 * everything the task ever wrote; the part the disk cap dropped is skipped. The window never ends
 * inside a character (unless it is the end of the log): its bytes decode to whole characters.
 */
export function readLog(paths: TaskPaths, options: ReadOptions = {}): LogWindow {
  checkCount('offset', options.offset, 0)
  checkCount('max_bytes', options.maxBytes, 1)
  checkCount('tail_lines', options.tailLines, 1)
  checkCount('head_lines', options.headLines, 1)
  const maxBytes = options.maxBytes ?? DEFAULT_READ_BYTES
  return withLog(
    paths,
    ({ fd, totalBytes: total, dropped, droppedBytes }) => {
      let start: number
      let end: number
      let limit = total
      if (options.tailLines !== undefined && options.offset === undefined) {
        const floor = dropped && dropped.droppedUntil > dropped.headBytes ? dropped.droppedUntil : 0
        end = total
        // Never look further back than the window can reach: a 50 MiB line would be scanned whole.
        start = findTailStart(fd, total, options.tailLines, Math.max(floor, total - maxBytes))
      } else {
        start = skipHole(Math.min(options.offset ?? 0, total), dropped)
        limit = runEnd(start, total, dropped)
        const windowEnd = Math.min(limit, start + maxBytes)
        end =
          options.headLines !== undefined ? findHeadEnd(fd, start, options.headLines, windowEnd) : windowEnd
      }
      let bytes = readAt(fd, start, end - start)
      let safe = end === total ? bytes.length : getUtf8SafeLength(bytes)
      if (safe === 0 && bytes.length > 0) {
        // The window is smaller than one character: return that whole character rather than nothing.
        bytes = readAt(fd, start, Math.min(4, limit - start))
        safe = start + bytes.length === total ? bytes.length : getUtf8SafeLength(bytes) || bytes.length
      }
      bytes = bytes.subarray(0, safe)
      const nextOffset = skipHole(start + safe, dropped)
      return {
        text: bytes.toString('utf8'),
        bytes,
        offset: start,
        nextOffset,
        totalBytes: total,
        droppedBytes,
        eof: nextOffset >= total,
      }
    },
    (droppedBytes) => ({
      text: '',
      bytes: Buffer.alloc(0),
      offset: 0,
      nextOffset: 0,
      totalBytes: 0,
      droppedBytes,
      eof: true,
    }),
  )
}

/** Reads the first `headBytes` and last `tailBytes` of the log for building a view. */
export function readHeadAndTail(
  paths: TaskPaths,
  headBytes: number,
  tailBytes: number,
): { text: string; total: number } {
  const head = readLog(paths, { offset: 0, maxBytes: headBytes })
  if (head.eof) return { text: head.text, total: head.totalBytes }
  const tail = readLog(paths, {
    offset: Math.max(head.nextOffset, head.totalBytes - tailBytes),
    maxBytes: tailBytes,
  })
  const gap = tail.offset > head.nextOffset ? '\n' : ''
  return { text: head.text + gap + tail.text, total: head.totalBytes }
}

/** Bytes a log occupies on disk (allocated blocks); 0 when it is gone. */
export function readDiskUsage(paths: TaskPaths): number {
  try {
    return fs.statSync(paths.output).blocks * 512
  } catch {
    return 0
  }
}
