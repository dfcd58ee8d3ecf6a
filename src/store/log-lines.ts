import { LOG_SCAN_CHUNK_BYTES, MAX_PENDING_LINE_BYTES } from '../constants.js'
import { getUtf8SafeLength, type LogBytes, readLogBytes } from './output-log.js'
import type { TaskPaths } from './paths.js'

const NEWLINE = 0x0a
const CARRIAGE_RETURN = 0x0d

/** One line of a task's log. */
export interface LogLine {
  /** Absolute byte offset of its first byte in the log. */
  offset: number
  /** Its bytes as written, without the line ending (`\n`, or `\r\n`). */
  bytes: Buffer
  /** Its bytes decoded as UTF-8, to match and show: a byte that is not valid UTF-8 reads as U+FFFD. */
  text: string
  /** Offset where the next line starts: after the line ending, or after the hole that cut it short. */
  end: number
  /**
   * Ended by a newline. False for an unfinished last line (handed out only when asked), a piece
   * of a line longer than MAX_PENDING_LINE_BYTES, and a line cut short by the disk cap's hole.
   */
  isWhole: boolean
}

export interface LogLineReaderOptions {
  /** Most bytes per read of the log; default LOG_SCAN_CHUNK_BYTES. */
  chunkBytes?: number
}

/**
 * Reads a task's log line by line from an offset, incrementally: `next` hands out one line at a
 * time and reads more of the log only when what it has read holds no whole line, so a line that
 * arrives in several writes comes out whole, and a reader may stop after any line and go on later.
 * Lines are split on bytes and decoded one by one, so every offset is a byte offset of the log
 * whatever bytes it holds. The part the disk cap dropped is skipped: a line it cut short ends at
 * the hole, and the bytes after the hole start a line. Memory stays at one read and one line of
 * at most MAX_PENDING_LINE_BYTES (a longer one comes out in pieces).
 */
export class LogLineReader {
  readonly #paths: TaskPaths
  readonly #chunkBytes: number
  /** Bytes read and not handed out yet; the first is at #offset. */
  #pending: Buffer = Buffer.alloc(0)
  #offset: number
  /** Where the next read of the log starts. */
  #readOffset: number
  /** A read that landed past the hole while an unfinished line from before it was pending. */
  #afterHole: LogBytes | undefined
  #startOffset: number | undefined
  #totalBytes = 0
  #droppedBytes = 0
  #isAtEnd = false

  constructor(paths: TaskPaths, fromOffset = 0, options: LogLineReaderOptions = {}) {
    this.#paths = paths
    this.#chunkBytes = options.chunkBytes ?? LOG_SCAN_CHUNK_BYTES
    this.#offset = fromOffset
    this.#readOffset = fromOffset
  }

  /** Offset of the first byte not handed out yet: where a reader that stops now goes on. */
  get offset(): number {
    return this.#offset
  }

  /**
   * Where reading began: the offset asked for, the end of the log when it was past it (as a read
   * window does), or the end of the hole when it was in it. Known after the first `next`.
   */
  get startOffset(): number {
    return this.#startOffset ?? this.#offset
  }

  /** Size of the log (every byte ever written) at the last read. */
  get totalBytes(): number {
    return this.#totalBytes
  }

  /** Bytes the disk cap had dropped at the last read. */
  get droppedBytes(): number {
    return this.#droppedBytes
  }

  /** The last read reached the end of what was written. */
  get isAtEnd(): boolean {
    return this.#isAtEnd
  }

  /**
   * The next line, reading more of the log as needed; undefined when no whole line is there yet.
   * With `isFinal` (the task has ended), an unfinished last line is handed out too.
   */
  next(isFinal = false): LogLine | undefined {
    for (;;) {
      const line = this.#takeLine()
      if (line) return line
      if (!this.#read()) break
    }
    if (isFinal && this.#pending.length > 0)
      return this.#take(this.#pending.length, this.#pending.length, false)
    return undefined
  }

  /**
   * Texts of up to `count` lines already read after the last one handed out (the last of them
   * may be unfinished), without handing them out or reading the log: what follows a match so far.
   */
  peek(count: number): string[] {
    const texts: string[] = []
    for (let start = 0; texts.length < count && start < this.#pending.length; ) {
      const newline = this.#pending.indexOf(NEWLINE, start)
      const end = newline < 0 ? this.#pending.length : newline
      texts.push(decodeLine(this.#pending.subarray(start, end), newline >= 0))
      if (newline < 0) break
      start = newline + 1
    }
    return texts
  }

  /** A line from what was read: a whole one, one the hole cut short, or a piece of an endless one. */
  #takeLine(): LogLine | undefined {
    const newline = this.#pending.indexOf(NEWLINE)
    if (newline >= 0) return this.#take(newline, newline + 1, true)
    const afterHole = this.#afterHole
    if (afterHole) {
      const line = this.#take(this.#pending.length, this.#pending.length, false)
      this.#afterHole = undefined
      this.#pending = afterHole.bytes
      this.#offset = afterHole.offset
      return { ...line, end: afterHole.offset }
    }
    if (this.#pending.length > MAX_PENDING_LINE_BYTES) {
      // Each piece ends on a whole character, so it decodes as the line would.
      const length = getUtf8SafeLength(this.#pending) || this.#pending.length
      return this.#take(length, length, false)
    }
    return undefined
  }

  /** Hands out the first `length` bytes as a line and drops `consumed` bytes (its line ending too). */
  #take(length: number, consumed: number, isWhole: boolean): LogLine {
    const offset = this.#offset
    const raw = this.#pending.subarray(0, length)
    const bytes = isWhole && raw.at(-1) === CARRIAGE_RETURN ? raw.subarray(0, -1) : raw
    this.#pending = this.#pending.subarray(consumed)
    this.#offset += consumed
    return { offset, bytes, text: bytes.toString('utf8'), end: this.#offset, isWhole }
  }

  /** Reads the next run of the log; false when nothing new was written. */
  #read(): boolean {
    const run = readLogBytes(this.#paths, { offset: this.#readOffset, maxBytes: this.#chunkBytes })
    this.#startOffset ??= run.offset
    this.#totalBytes = run.totalBytes
    this.#droppedBytes = run.droppedBytes
    this.#isAtEnd = run.eof
    this.#readOffset = run.nextOffset
    // With nothing pending the reader simply moves: to the end of the log, or past the hole.
    if (this.#pending.length === 0) this.#offset = run.offset
    if (run.bytes.length === 0) return false
    if (run.offset === this.#offset + this.#pending.length) {
      this.#pending = this.#pending.length === 0 ? run.bytes : Buffer.concat([this.#pending, run.bytes])
    } else {
      this.#afterHole = run
    }
    return true
  }
}

/** A line's text: its bytes decoded, without the `\r` of a `\r\n` ending. */
function decodeLine(bytes: Buffer, isWhole: boolean): string {
  const end = isWhole && bytes.at(-1) === CARRIAGE_RETURN ? bytes.length - 1 : bytes.length
  return bytes.toString('utf8', 0, end)
}
