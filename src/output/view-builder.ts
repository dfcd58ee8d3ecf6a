import { stripAnsi, stripAnsiLines } from './ansi.js'
import { EndsKeeper, type Line } from './ends-keeper.js'
import { RepeatFolder } from './fold.js'
import { classifyLine, LinePriority } from './important.js'
import { collapseRedrawLines, collapseRedraws } from './redraw.js'
import { isLibraryFrame } from './stack-frame.js'
import { bytes, cutToBytes, detach, GONE, gapMarker, indentOf } from './view-lines.js'

export { cutToBytes }

export interface ViewOptions {
  /** Most UTF-8 bytes of the view, markers included. */
  budgetBytes: number
  /** How to read what was left out, put in the first gap marker (e.g. "bash_output offset/grep"). */
  readHint?: string
  /**
   * `problems`: the errors, their context and the summaries, with only a few lines of each end,
   * and no more lines to fill the budget (a failed task's notice: the rest is one read away).
   * Default `ends`: the ends get their shares, and whatever budget is left goes to them too.
   */
  focus?: 'ends' | 'problems'
}

export interface OutputView {
  text: string
  /** Something was left out (beyond folding repeats). */
  truncated: boolean
  omittedLines: number
  omittedBytes: number
  keptLines: number
  totalLines: number
  /** The first line that reads as an error, if any. */
  firstErrorLine?: string
}

/**
 * Shares of the budget first given to the last and the first lines; important lines come next.
 * A view of the problems has its command above it, so its head is a line or two: how the output
 * began; its tail is the tool's last words.
 */
const SHARES = { ends: { tail: 0.3, head: 0.1 }, problems: { tail: 0.05, head: 0.01 } }
/**
 * Plain lines right after an error line travel with it: the assertion under its heading; a view
 * of the problems has room for a whole diff.
 */
const CONTEXT_LINES = { ends: 3, problems: 6 }
/** An unfinished line longer than this (UTF-16 units) is collapsed, then cut: a redraw loop or a 50 MB line. */
const PARTIAL_LIMIT = 1 << 20

/** Escape, C1 CSI, carriage return, backspace (built from a string, as ansi.ts does). */
// biome-ignore lint/complexity/useRegexLiterals: as a literal it trips noControlCharactersInRegex
const CONTROLS = new RegExp(String.raw`[\u001b\u009b\r\b]`)

/**
 * Whole lines of bytes handed to the folder at a time (it reads them as a latin1 string): a
 * string of 128 KiB or more goes to V8's large object space, and making strings of 100 MB took
 * 125 ms in 256 KiB pieces against 25 ms in 64 KiB pieces.
 */
const BYTES_PIECE = 64 * 1024

const DEFAULT_HINT = 'read them with an offset or grep'

/**
 * Builds a view of output as it streams in, holding bounded memory whatever the size: the first
 * lines, the last ones, and the first and last lines of each kind of important line, each kept
 * within the budget. Escape codes are stripped, redraws collapsed and repeats folded on the fly;
 * a chunk may end mid-line or mid-character.
 */
export class ViewBuilder {
  readonly #budget: number
  readonly #hint: string
  readonly #focus: 'ends' | 'problems'
  readonly #maxLine: number
  /**
   * Twice as fast as StringDecoder and the same text for any bytes (a malformed sequence may come
   * out one chunk sooner); a byte order mark is kept, as StringDecoder keeps it.
   */
  readonly #decoder = new TextDecoder('utf-8', { ignoreBOM: true })
  readonly #folder: RepeatFolder
  #partial = ''
  #isPartialPlain = true
  #compactAt = PARTIAL_LIMIT
  /** Bytes of the unfinished line dropped past PARTIAL_LIMIT. */
  #partialDropped = 0
  #dropped = 0
  #index = 0
  #offset = 0
  #contextLeft = 0
  #contextIndent = 0
  #firstError: Line | undefined
  readonly #head: Line[] = []
  #headBytes = 0
  readonly #tail: Line[] = []
  #tailStart = 0
  #tailBytes = 0
  readonly #important: Record<'error' | 'summary' | 'warning' | 'context', EndsKeeper>
  #finished: OutputView | undefined

  constructor(options: ViewOptions) {
    this.#budget = Math.max(0, Math.floor(options.budgetBytes))
    this.#hint = options.readHint ?? DEFAULT_HINT
    this.#focus = options.focus ?? 'ends'
    this.#maxLine = Math.max(16, Math.floor(this.#budget / 4))
    this.#folder = new RepeatFolder((line) => this.#addLine(line))
    this.#important = {
      error: new EndsKeeper(this.#budget),
      summary: new EndsKeeper(this.#budget),
      warning: new EndsKeeper(this.#budget),
      context: new EndsKeeper(this.#budget),
    }
  }

  /** Adds output as written: text, or bytes that may end inside a UTF-8 character. */
  push(chunk: string | Uint8Array): void {
    if (this.#finished) throw new Error('ViewBuilder.push after finish')
    if (typeof chunk === 'string') this.#pushText(chunk)
    else this.#pushBytes(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength))
  }

  /**
   * The first line of the bytes (it may end a character or a line begun before) and their
   * unfinished end go through the stream decoder. The whole lines between go to the folder as
   * bytes, a piece at a time: the decoder's state is clean after a line break, so they decode the
   * same alone, and lines inside a long run are never decoded at all.
   */
  #pushBytes(chunk: Buffer): void {
    const firstNl = chunk.indexOf(10)
    if (firstNl < 0) {
      this.#pushText(this.#decoder.decode(chunk, { stream: true }))
      return
    }
    this.#pushText(this.#decoder.decode(chunk.subarray(0, firstNl + 1), { stream: true }))
    const lastNl = chunk.lastIndexOf(10)
    for (let start = firstNl + 1; start <= lastNl; ) {
      let end = chunk.lastIndexOf(10, Math.min(start + BYTES_PIECE - 1, lastNl)) + 1
      // A line longer than a piece is a piece of its own.
      if (end <= start) end = chunk.indexOf(10, start + BYTES_PIECE) + 1
      this.#folder.pushLineBytes(chunk.subarray(start, end), prepareLines)
      start = end
    }
    if (lastNl + 1 < chunk.length) {
      this.#pushText(this.#decoder.decode(chunk.subarray(lastNl + 1), { stream: true }))
    }
  }

  #pushText(text: string): void {
    if (text === '') return
    const lastNl = text.lastIndexOf('\n')
    if (lastNl < 0) {
      this.#appendPartial(text, !CONTROLS.test(text))
      return
    }
    let start = 0
    if (this.#partial !== '' || this.#partialDropped > 0) {
      // The unfinished line ends here.
      const nl = text.indexOf('\n')
      const piece = text.slice(0, nl)
      this.#appendPartial(piece, !CONTROLS.test(piece))
      this.#endLine(this.#partial, this.#isPartialPlain)
      this.#partial = ''
      this.#isPartialPlain = true
      this.#compactAt = PARTIAL_LIMIT
      start = nl + 1
    }
    if (start <= lastNl) {
      // Whole lines, each ending in \n: escapes stripped and redraws collapsed for all at once.
      this.#folder.pushLines(text.slice(start, lastNl + 1), prepareLines)
    }
    if (lastNl + 1 < text.length) {
      const rest = text.slice(lastNl + 1)
      this.#appendPartial(rest, !CONTROLS.test(rest))
    }
  }

  /** The view of everything pushed. Further calls return the same view. */
  finish(): OutputView {
    if (this.#finished) return this.#finished
    const rest = this.#decoder.decode()
    if (rest !== '') this.push(rest)
    if (this.#partial !== '' || this.#partialDropped > 0) this.#endLine(this.#partial, this.#isPartialPlain)
    this.#partial = ''
    this.#folder.flush()
    this.#finished = this.#select()
    return this.#finished
  }

  #appendPartial(piece: string, isPlain: boolean): void {
    this.#isPartialPlain &&= isPlain
    if (this.#partialDropped > 0) {
      this.#partialDropped += bytes(piece)
      return
    }
    this.#partial += piece
    if (this.#partial.length <= this.#compactAt) return
    const lastCr = this.#partial.lastIndexOf('\r')
    if (lastCr > 0) {
      // What a terminal shows so far, then the redraws still to come.
      this.#partial = collapseRedraws(stripAnsi(this.#partial.slice(0, lastCr))) + this.#partial.slice(lastCr)
    }
    if (this.#partial.length > PARTIAL_LIMIT) {
      this.#partialDropped = bytes(this.#partial.slice(PARTIAL_LIMIT))
      this.#partial = this.#partial.slice(0, PARTIAL_LIMIT)
    }
    this.#compactAt = Math.max(PARTIAL_LIMIT, this.#partial.length * 2)
  }

  #endLine(raw: string, isPlain: boolean): void {
    const line = isPlain ? raw : collapseRedraws(stripAnsi(raw))
    if (this.#partialDropped === 0) {
      this.#folder.push(line)
      return
    }
    // A line cut past PARTIAL_LIMIT folds with nothing; it goes straight in with its true size.
    this.#folder.flush()
    this.#dropped = this.#partialDropped
    this.#partialDropped = 0
    this.#addLine(line)
  }

  /** A line of the folded output: counted, classified, and kept if it may be shown. */
  #addLine(line: string): void {
    // Only a line that ended past PARTIAL_LIMIT carries dropped bytes.
    const full = bytes(line) + this.#dropped
    this.#dropped = 0
    const priority = classifyLine(line)
    // What explains an error is indented under it, or level with it: a line less indented than
    // the error begins something else (the next test's heading), and a frame of node's or a
    // package's code ends the frames that say where it failed.
    const isContext =
      priority === LinePriority.plain &&
      this.#contextLeft > 0 &&
      indentOf(line) >= this.#contextIndent &&
      !isLibraryFrame(line)
    if (priority === LinePriority.error) {
      this.#contextLeft = CONTEXT_LINES[this.#focus]
      this.#contextIndent = indentOf(line)
    } else if (isContext) this.#contextLeft--
    else this.#contextLeft = 0
    const text = full > this.#budget ? cutToBytes(line, this.#budget, full) : line
    const shown = cutToBytes(text, this.#maxLine, full)
    const entry: Line = {
      index: this.#index++,
      offset: this.#offset,
      size: full + 1,
      text,
      shown,
      shownSize: shown === text && full === bytes(line) ? full + 1 : bytes(shown) + 1,
      priority,
      isContext,
    }
    this.#offset += full + 1
    if (this.#headBytes < this.#budget) {
      detach(entry)
      this.#head.push(entry)
      this.#headBytes += entry.shownSize
    }
    this.#tail.push(entry)
    this.#tailBytes += entry.shownSize
    while (this.#tailBytes - this.#tail[this.#tailStart]!.shownSize >= this.#budget) {
      this.#tailBytes -= this.#tail[this.#tailStart]!.shownSize
      // Let go of the line now, not at the next compaction: it may hold a whole chunk.
      this.#tail[this.#tailStart++] = GONE
    }
    if (this.#tailStart > 4096 && this.#tailStart * 2 > this.#tail.length) {
      this.#tail.splice(0, this.#tailStart)
      this.#tailStart = 0
    }
    if (priority !== LinePriority.plain || isContext) detach(entry)
    if (priority === LinePriority.error) {
      this.#firstError ??= entry
      this.#important.error.add(entry)
    } else if (priority === LinePriority.summary) this.#important.summary.add(entry)
    else if (priority === LinePriority.warning) this.#important.warning.add(entry)
    else if (isContext) this.#important.context.add(entry)
  }

  #select(): OutputView {
    const total = this.#index
    const totalBytes = this.#offset
    const budget = this.#budget
    const base = { totalLines: total, firstErrorLine: this.#firstError?.text }
    // Everything fits: the whole output, lines uncut (the head then holds every line).
    if (totalBytes - 1 <= budget && this.#head.length === total) {
      return {
        ...base,
        text: this.#head.map((line) => line.text).join('\n'),
        truncated: false,
        omittedLines: 0,
        omittedBytes: 0,
        keptLines: total,
      }
    }
    const pool = new Map<number, Line>()
    const tail = this.#tail.slice(this.#tailStart)
    for (const line of [...this.#head, ...tail]) pool.set(line.index, line)
    for (const keeper of Object.values(this.#important))
      for (const line of keeper.lines()) pool.set(line.index, line)
    const kept = new Set<number>()
    // Every gap costs a marker; this one's numbers are as long as any gap's can be. The first
    // marker also carries the read hint.
    const markerBytes = bytes(gapMarker(total, totalBytes, undefined)) + 1
    let used = bytes(gapMarker(total, totalBytes, this.#hint)) + 1 - markerBytes
    let gaps = total > 0 ? 1 : 0
    const add = (index: number): boolean => {
      if (kept.has(index)) return true
      const line = pool.get(index)
      if (line === undefined) return false
      // The gap holding this line loses it: it splits, shrinks or closes.
      const leftGap = index > 0 && !kept.has(index - 1)
      const rightGap = index < total - 1 && !kept.has(index + 1)
      const gapChange = (leftGap ? 1 : 0) + (rightGap ? 1 : 0) - 1
      if (used + line.shownSize + (gaps + gapChange) * markerBytes > budget) return false
      kept.add(index)
      used += line.shownSize
      gaps += gapChange
      return true
    }
    const addWithContext = (index: number): void => {
      if (!add(index)) return
      const last = index + CONTEXT_LINES[this.#focus]
      for (let i = index + 1; i <= last && pool.get(i)?.isContext; i++) add(i)
    }
    // A view of the problems keeps each end only up to its first important line (the summary
    // that ends a run): what lies beyond it is the middle of the run (the passing tests before
    // the summary), not its end. Nor does it end on the runtime's frames of a last stack trace.
    const isProblems = this.#focus === 'problems'
    const addRun = (from: number, step: 1 | -1, maxBytes: number): void => {
      let spent = 0
      for (let i = from; i >= 0 && i < total; i += step) {
        const line = pool.get(i)
        if (line === undefined || spent + line.shownSize > maxBytes) return
        if (isProblems && isLibraryFrame(line.text)) return
        if (!add(i) || (isProblems && line.priority !== LinePriority.plain)) return
        spent += line.shownSize
      }
    }
    if (this.#firstError) addWithContext(this.#firstError.index)
    const shares = SHARES[this.#focus]
    addRun(total - 1, -1, budget * shares.tail)
    addRun(0, 1, budget * shares.head)
    const byIndex = [...pool.values()].sort((a, b) => a.index - b.index)
    for (const line of byIndex) if (line.priority === LinePriority.error) addWithContext(line.index)
    // Summaries come at the end of a run: the latest first.
    for (let i = byIndex.length - 1; i >= 0; i--) {
      if (byIndex[i]!.priority === LinePriority.summary) add(byIndex[i]!.index)
    }
    for (const line of byIndex) if (line.priority === LinePriority.warning) add(line.index)
    if (this.#focus === 'ends') {
      addRun(total - 1, -1, budget)
      addRun(0, 1, budget)
    }

    let text = this.#render(byIndex, kept, total, totalBytes)
    // The marker estimate is an upper bound, but tiny budgets are checked for real.
    if (bytes(text) > budget) text = cutToBytes(text, budget)
    let keptBytes = 0
    for (const index of kept) keptBytes += pool.get(index)!.size
    return {
      ...base,
      text,
      truncated: true,
      omittedLines: total - kept.size,
      omittedBytes: totalBytes - keptBytes,
      keptLines: kept.size,
    }
  }

  #render(byIndex: readonly Line[], kept: ReadonlySet<number>, total: number, totalBytes: number): string {
    const out: string[] = []
    let next = 0
    let nextOffset = 0
    // The first gap says how to read what was left out; the others only how much.
    let hint: string | undefined = this.#hint
    const marker = (count: number, size: number) => {
      const text = gapMarker(count, size, hint)
      hint = undefined
      return text
    }
    for (const line of byIndex) {
      if (!kept.has(line.index)) continue
      if (line.index > next) out.push(marker(line.index - next, line.offset - nextOffset))
      out.push(line.shown)
      next = line.index + 1
      nextOffset = line.offset + line.size
    }
    if (next < total) out.push(marker(total - next, totalBytes - nextOffset))
    return out.join('\n')
  }
}

/** Whole lines as a view shows them: escapes stripped, redraws collapsed. */
function prepareLines(lines: string): string {
  return collapseRedrawLines(stripAnsiLines(lines))
}
