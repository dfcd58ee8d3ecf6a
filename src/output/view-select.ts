// Which of the lines a ViewBuilder kept a view shows, within its budget, and how the view reads:
// the lines in their order, a marker for each gap.
import type { EndsKeeper, Line } from './ends-keeper.js'
import { isNextTest } from './filler.js'
import { isFoldMarker } from './fold.js'
import { LinePriority } from './important.js'
import { blockAt, findRepeatedFailures } from './repeats.js'
import { isLibraryFrame } from './stack-frame.js'
import { bytes, cutToBytes, gapMarker } from './view-lines.js'

export type ViewFocus = 'ends' | 'problems'

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
 * Plain lines right after an error line travel with it: the assertion under its heading; a view
 * of the problems has room for a whole diff.
 */
export const CONTEXT_LINES: Record<ViewFocus, number> = { ends: 3, problems: 6 }

/**
 * Lines of an assertion diff past the context (indented under its error, no runtime frame, no
 * next test): a view of the problems shows them in order with the budget left once every error,
 * summary and warning has its place, so a long diff is not cut at its sixth line.
 */
export const FURTHER_LINES: Record<ViewFocus, number> = { ends: 0, problems: 24 }

/**
 * Shares of the budget first given to the last and the first lines; important lines come next.
 * A view of the problems has its command above it, so its head is a line or two: how the output
 * began; its tail is the tool's last words.
 */
const SHARES = { ends: { tail: 0.3, head: 0.1 }, problems: { tail: 0.05, head: 0.01 } }

/**
 * Output up to this size is shown whole in a view of the problems too: past it, a failed suite's
 * passing tests and runtime frames would fill a notice the more, the closer it came to the budget.
 */
const PROBLEMS_WHOLE_BYTES = 1024

/** What a ViewBuilder kept of the output, and the view it is asked for. */
export interface KeptLines {
  budget: number
  hint: string
  focus: ViewFocus
  totalLines: number
  totalBytes: number
  /** The first lines, within the budget (every line when the output fits). */
  head: readonly Line[]
  /** The last lines, within the budget. */
  tail: readonly Line[]
  /** The first and last lines of each kind of important line, and the context of errors. */
  important: readonly EndsKeeper[]
  firstError: Line | undefined
  /** Filler the folder left out before any line was kept (ViewOptions.terse). */
  skipped: { lines: number; bytes: number }
  /** How a kept line is written, when not as it came (paths made relative). */
  rewrite: ((line: string) => string) | undefined
}

/** The view of the kept lines: the whole output when it fits, else a selection within the budget. */
export function selectView(kept: KeptLines): OutputView {
  const { budget, totalLines: total, totalBytes, head, skipped } = kept
  const base = { totalLines: total + skipped.lines, firstErrorLine: kept.firstError?.text }
  // Everything fits: the whole output, lines uncut (the head then holds every line). A view of
  // the problems shows a short output whole, and a longer one the same way at any size.
  const whole = kept.focus === 'problems' ? Math.min(budget, PROBLEMS_WHOLE_BYTES) : budget
  if (
    kept.focus === 'problems' &&
    totalBytes - 1 <= budget &&
    head.length === total &&
    totalBytes - 1 > whole
  ) {
    return trimmedWhole(kept, base)
  }
  if (totalBytes - 1 <= whole && head.length === total) {
    return {
      ...base,
      text: head.map((line) => kept.rewrite?.(line.text) ?? line.text).join('\n'),
      truncated: skipped.lines > 0,
      omittedLines: skipped.lines,
      omittedBytes: skipped.bytes,
      keptLines: total,
    }
  }
  const pool = new Map<number, Line>()
  for (const line of [...head, ...kept.tail]) pool.set(line.index, line)
  for (const keeper of kept.important) for (const line of keeper.lines()) pool.set(line.index, line)
  const chosen = new Selection(kept, pool)
  const byIndex = chosen.choose()
  let text = render(byIndex, chosen.kept, kept)
  // The marker estimate is an upper bound, but tiny budgets are checked for real.
  if (bytes(text) > budget) text = cutToBytes(text, budget)
  let keptBytes = 0
  for (const index of chosen.kept) keptBytes += pool.get(index)!.size
  return {
    ...base,
    text,
    truncated: true,
    omittedLines: total - chosen.kept.size + skipped.lines,
    omittedBytes: totalBytes - keptBytes + skipped.bytes,
    keptLines: chosen.kept.size,
  }
}

/**
 * A failure's output within the budget, all of it but its runs of passing tests and runtime
 * frames (what the problems are not): an output that names its problem in a way no pattern
 * knows is still shown, and a failed suite does not spend the notice on its passing tests.
 */
function trimmedWhole(kept: KeptLines, base: { totalLines: number; firstErrorLine?: string }): OutputView {
  const { head, skipped, totalBytes, totalLines: total } = kept
  const pool = new Map(head.map((line) => [line.index, line]))
  const repeated = findRepeatedFailures(head, pool, CONTEXT_LINES.problems)
  const isNoise = (line: Line) =>
    isNextTest(line.text) || isLibraryFrame(line.text) || repeated.has(line.index)
  const shown = new Set<number>()
  for (let i = 0; i < head.length; ) {
    if (!isNoise(head[i]!)) {
      shown.add(head[i]!.index)
      i++
      continue
    }
    let end = i + 1
    while (end < head.length && (isNoise(head[end]!) || isFoldMarker(head[end]!.text))) end++
    // A lone passing test stays (it tells where a failure sits); a runtime frame or a repeat never does.
    if (end - i === 1 && isNextTest(head[i]!.text)) shown.add(head[i]!.index)
    i = end
  }
  let shownBytes = 0
  for (const line of head) if (shown.has(line.index)) shownBytes += line.size
  return {
    ...base,
    text: render(head, shown, kept),
    truncated: true,
    omittedLines: total - shown.size + skipped.lines,
    omittedBytes: totalBytes - shownBytes + skipped.bytes,
    keptLines: shown.size,
  }
}

/** The lines chosen for a view, added in order of importance while the budget lasts. */
class Selection {
  readonly kept = new Set<number>()
  #used: number
  #gaps: number
  readonly #markerBytes: number
  /** Failures reported again (repeats.ts): never kept. */
  #repeated = new Set<number>()

  constructor(
    private readonly input: KeptLines,
    private readonly pool: ReadonlyMap<number, Line>,
  ) {
    const { totalLines, totalBytes, hint } = input
    // Every gap costs a marker; this one's numbers are as long as any gap's can be. The first
    // marker also carries the read hint.
    this.#markerBytes = bytes(gapMarker(totalLines, totalBytes, undefined)) + 1
    this.#used = bytes(gapMarker(totalLines, totalBytes, hint)) + 1 - this.#markerBytes
    this.#gaps = totalLines > 0 ? 1 : 0
  }

  /** Chooses the lines; returns the pool's lines in order. */
  choose(): Line[] {
    const { focus, totalLines: total, budget, firstError } = this.input
    const byIndex = [...this.pool.values()].sort((a, b) => a.index - b.index)
    this.#repeated = findRepeatedFailures(byIndex, this.pool, CONTEXT_LINES[focus])
    if (firstError) this.#addBlock(firstError.index)
    const shares = SHARES[focus]
    this.#addRun(total - 1, -1, budget * shares.tail)
    this.#addRun(0, 1, budget * shares.head)
    for (const line of byIndex) if (line.priority === LinePriority.error) this.#addBlock(line.index)
    // Summaries come at the end of a run: the latest first.
    for (let i = byIndex.length - 1; i >= 0; i--) {
      if (byIndex[i]!.priority === LinePriority.summary) this.#add(byIndex[i]!.index)
    }
    for (const line of byIndex) if (line.priority === LinePriority.warning) this.#add(line.index)
    for (const line of byIndex) if (line.isFurther && this.kept.has(line.index - 1)) this.#add(line.index)
    // A failure whose output names no problem shows its ends, as much as fits.
    if (focus === 'ends' || firstError === undefined) {
      this.#addRun(total - 1, -1, budget, true)
      this.#addRun(0, 1, budget, true)
    }
    return byIndex
  }

  /** Keeps a line if the budget allows; filler is never kept. */
  #add(index: number): boolean {
    if (this.kept.has(index)) return true
    const line = this.pool.get(index)
    if (line === undefined || this.#repeated.has(index)) return false
    const total = this.input.totalLines
    // The gap holding this line loses it: it splits, shrinks or closes.
    const leftGap = index > 0 && !this.kept.has(index - 1)
    const rightGap = index < total - 1 && !this.kept.has(index + 1)
    const gapChange = (leftGap ? 1 : 0) + (rightGap ? 1 : 0) - 1
    if (this.#used + line.shownSize + (this.#gaps + gapChange) * this.#markerBytes > this.input.budget)
      return false
    this.kept.add(index)
    this.#used += line.shownSize
    this.#gaps += gapChange
    return true
  }

  /** An error line and the context lines under it, unless it repeats a failure shown already. */
  #addBlock(index: number): void {
    if (this.#repeated.has(index)) return
    for (const i of blockAt(this.pool, index, CONTEXT_LINES[this.input.focus])) if (!this.#add(i)) return
  }

  /**
   * A run of lines from one end. A view of the problems keeps each end only up to its first
   * important line (the summary that ends a run): what lies beyond it is the middle of the run
   * (the passing tests before the summary), not its end. Nor does it end on the runtime's frames
   * of a last stack trace, nor on passing tests; unless `isFill`, a run that fills the budget.
   */
  #addRun(from: number, step: 1 | -1, maxBytes: number, isFill = false): void {
    const isProblems = this.input.focus === 'problems' && !isFill
    let spent = 0
    for (let i = from; i >= 0 && i < this.input.totalLines; i += step) {
      const line = this.pool.get(i)
      if (line === undefined || spent + line.shownSize > maxBytes) return
      if (isProblems && (isLibraryFrame(line.text) || isNextTest(line.text))) return
      if (!this.#add(i) || (isProblems && line.priority !== LinePriority.plain)) return
      spent += line.shownSize
    }
  }
}

/** The kept lines in order, each gap a marker. */
function render(byIndex: readonly Line[], kept: ReadonlySet<number>, input: KeptLines): string {
  const out: string[] = []
  let next = 0
  let nextOffset = 0
  // The first gap says how to read what was left out; the others only how much.
  let hint: string | undefined = input.hint
  const marker = (count: number, size: number) => {
    out.push(gapMarker(count, size, hint))
    hint = undefined
  }
  for (const line of byIndex) {
    if (!kept.has(line.index)) continue
    if (line.index > next) marker(line.index - next, line.offset - nextOffset)
    out.push(input.rewrite?.(line.shown) ?? line.shown)
    next = line.index + 1
    nextOffset = line.offset + line.size
  }
  if (next < input.totalLines) marker(input.totalLines - next, input.totalBytes - nextOffset)
  return out.join('\n')
}
