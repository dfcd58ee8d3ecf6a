import { stripAnsi, stripAnsiLines } from './ansi.js'
import { EndsKeeper, type Line } from './ends-keeper.js'
import { FillerFilter, isNextTest } from './filler.js'
import { RepeatFolder } from './fold.js'
import { classifyLine, isDiffHeader, isPointer, LinePriority } from './important.js'
import { collapseRedrawLines, collapseRedraws } from './redraw.js'
import { isLibraryFrame } from './stack-frame.js'
import { bytes, cutToBytes, detach, GONE, indentOf, relativeTo } from './view-lines.js'
import { CONTEXT_LINES, FURTHER_LINES, type OutputView, selectView, type ViewFocus } from './view-select.js'

export { cutToBytes, type OutputView }

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
  focus?: ViewFocus
  /** A directory whose paths the view writes relative to it (see relativeTo in view-lines.ts). */
  relativeTo?: string
  /**
   * Leave out the lines that say how a test runner ran (filler.ts: TAP's YAML fences and timings,
   * zero counts), unmarked, before repeats fold: forty passing TAP tests fold to two lines.
   */
  terse?: boolean
}

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
  readonly #focus: ViewFocus
  readonly #relativeTo: string | undefined
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
  /** Lines that may still follow an error as further context (FURTHER_LINES). */
  #furtherLeft = 0
  #contextIndent = 0
  #firstError: Line | undefined
  readonly #head: Line[] = []
  #headBytes = 0
  readonly #tail: Line[] = []
  #tailStart = 0
  #tailBytes = 0
  readonly #important: Record<'error' | 'summary' | 'warning' | 'context' | 'further', EndsKeeper>
  #finished: OutputView | undefined

  constructor(options: ViewOptions) {
    this.#budget = Math.max(0, Math.floor(options.budgetBytes))
    this.#hint = options.readHint ?? DEFAULT_HINT
    this.#focus = options.focus ?? 'ends'
    this.#relativeTo = options.relativeTo
    this.#maxLine = Math.max(16, Math.floor(this.#budget / 4))
    this.#folder = new RepeatFolder(
      (line) => this.#addLine(line),
      options.terse ? new FillerFilter().isFiller : undefined,
    )
    this.#important = {
      error: new EndsKeeper(this.#budget),
      summary: new EndsKeeper(this.#budget),
      warning: new EndsKeeper(this.#budget),
      context: new EndsKeeper(this.#budget),
      further: new EndsKeeper(this.#budget),
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
    this.#finished = selectView({
      budget: this.#budget,
      hint: this.#hint,
      focus: this.#focus,
      totalLines: this.#index,
      totalBytes: this.#offset,
      head: this.#head,
      tail: this.#tail.slice(this.#tailStart),
      important: Object.values(this.#important),
      firstError: this.#firstError,
      skipped: { lines: this.#folder.skippedLines, bytes: this.#folder.skippedBytes },
      rewrite: relativeTo(this.#relativeTo),
    })
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
    // the error begins something else (the next test's heading), a frame of node's or a
    // package's code ends the frames that say where it failed, and a passing test is the next.
    const isUnder =
      this.#contextLeft + this.#furtherLeft > 0 &&
      (priority === LinePriority.plain || (priority === LinePriority.warning && isPointer(line))) &&
      indentOf(line) >= this.#contextIndent &&
      !isLibraryFrame(line) &&
      !isNextTest(line)
    const isContext = isUnder && this.#contextLeft > 0
    // Past the context: shown only if the budget is left over (the rest of a long diff).
    const isFurther = isUnder && !isContext
    if (priority === LinePriority.error) {
      this.#contextLeft = CONTEXT_LINES[this.#focus]
      this.#furtherLeft = 0
      this.#contextIndent = indentOf(line)
    } else if (isContext) {
      this.#contextLeft--
      // An assertion diff runs on past the context.
      if (isDiffHeader(line)) this.#furtherLeft = FURTHER_LINES[this.#focus]
    } else if (isFurther) this.#furtherLeft--
    else {
      this.#contextLeft = 0
      this.#furtherLeft = 0
    }
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
      isFurther,
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
    if (priority !== LinePriority.plain || isContext || isFurther) detach(entry)
    if (priority === LinePriority.error) {
      this.#firstError ??= entry
      this.#important.error.add(entry)
    } else if (priority === LinePriority.summary) this.#important.summary.add(entry)
    else if (priority === LinePriority.warning) this.#important.warning.add(entry)
    else if (isContext) this.#important.context.add(entry)
    else if (isFurther) this.#important.further.add(entry)
  }
}

/** Whole lines as a view shows them: escapes stripped, redraws collapsed. */
function prepareLines(lines: string): string {
  return collapseRedrawLines(stripAnsiLines(lines))
}
