import { stripAnsi } from './ansi.js'
import { foldRepeats } from './fold.js'
import { classifyLine, LinePriority } from './important.js'
import { collapseRedraws } from './redraw.js'

export interface ViewOptions {
  /** Most UTF-8 bytes of the view, markers included. */
  budgetBytes: number
  /** How to read what was left out, put in the gap markers (e.g. "bash_output offset/grep"). */
  readHint?: string
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

/** Shares of the budget for the first and the last lines; the rest goes to important lines. */
const HEAD_SHARE = 0.2
const TAIL_SHARE = 0.45
/** Important lines considered from the middle, at most (keeps a 100 MB log's view linear). */
const MAX_CANDIDATES = 400

const ORDER: Record<number, number> = {
  [LinePriority.error]: 3,
  [LinePriority.summary]: 2,
  [LinePriority.warning]: 1,
  [LinePriority.plain]: 0,
}

function bytes(text: string): number {
  return Buffer.byteLength(text)
}

/** Cuts text to at most `max` bytes without splitting a character, marking the cut. */
export function cutToBytes(text: string, max: number): string {
  if (bytes(text) <= max) return text
  const mark = ` …[+${bytes(text) - max} bytes]`
  const room = Math.max(0, max - bytes(mark))
  const cut = Buffer.from(text)
    .subarray(0, room)
    .toString('utf8')
    .replace(/\uFFFD$/, '')
  return `${cut}${mark}`
}

/**
 * A view of a task's output for a model: escape codes stripped, redraws collapsed, repeats
 * folded, and, when it does not fit the budget, the head, the tail and the lines carrying errors,
 * failures, warnings and summaries, in their original order, with markers saying what was left out.
 */
export function buildView(raw: string, options: ViewOptions): OutputView {
  const budget = Math.max(0, Math.floor(options.budgetBytes))
  const processed = collapseRedraws(stripAnsi(raw))
  const source = processed.endsWith('\n') ? processed.slice(0, -1) : processed
  const lines = source === '' ? [] : foldRepeats(source.split('\n'))
  const priorities = lines.map(classifyLine)
  const firstError = priorities.indexOf(LinePriority.error)
  const whole = lines.join('\n')
  const base = { totalLines: lines.length, firstErrorLine: firstError >= 0 ? lines[firstError] : undefined }
  if (bytes(whole) <= budget) {
    return {
      ...base,
      text: whole,
      truncated: false,
      omittedLines: 0,
      omittedBytes: 0,
      keptLines: lines.length,
    }
  }
  const hint = options.readHint ?? 'read them with an offset or grep'
  const maxLine = Math.max(16, Math.floor(budget / 4))
  const shown = lines.map((line) => cutToBytes(line, maxLine))
  const sizes = shown.map((line) => bytes(line) + 1)
  const markerBytes = bytes(gapMarker(99_999, 99_999_999, hint)) + 1
  const keep = new Array<boolean>(lines.length).fill(false)
  let used = 0
  let gaps = 1
  const fits = (extra: number, extraGaps: number) => used + extra + (gaps + extraGaps) * markerBytes <= budget
  const add = (i: number): boolean => {
    if (keep[i]) return true
    const before = i > 0 && keep[i - 1]
    const after = i < lines.length - 1 && keep[i + 1]
    // A kept line splits a gap in two, trims one, or closes it.
    const gapChange = before && after ? -1 : !before && !after && i > 0 && i < lines.length - 1 ? 1 : 0
    if (!fits(sizes[i]!, gapChange)) return false
    keep[i] = true
    used += sizes[i]!
    gaps += gapChange
    return true
  }
  if (firstError >= 0) add(firstError)
  for (let i = 0, spent = 0; i < lines.length && spent + sizes[i]! <= budget * HEAD_SHARE; i++) {
    if (add(i)) spent += sizes[i]!
  }
  for (let i = lines.length - 1, spent = 0; i >= 0 && spent + sizes[i]! <= budget * TAIL_SHARE; i--) {
    if (add(i)) spent += sizes[i]!
  }
  const candidates = lines
    .map((_, i) => i)
    .filter((i) => !keep[i] && priorities[i] !== LinePriority.plain)
    .sort((a, b) => ORDER[priorities[b]!]! - ORDER[priorities[a]!]! || a - b)
    .slice(0, MAX_CANDIDATES)
  for (const i of candidates) add(i)
  let text = render(shown, lines, keep, hint)
  // The gap estimate is an upper bound, but cut lines and tiny budgets are checked for real.
  if (bytes(text) > budget) text = cutToBytes(text, budget)
  const keptLines = keep.filter(Boolean).length
  const omitted = lines.filter((_, i) => !keep[i])
  return {
    ...base,
    text,
    truncated: true,
    omittedLines: omitted.length,
    omittedBytes: omitted.reduce((sum, line) => sum + bytes(line) + 1, 0),
    keptLines,
  }
}

function gapMarker(count: number, size: number, hint: string): string {
  const kb = size >= 1024 ? `${(size / 1024).toFixed(1)} KB` : `${size} bytes`
  return `… ${count.toLocaleString('en-US')} line${count === 1 ? '' : 's'} (${kb}) omitted — ${hint} …`
}

function render(
  shown: readonly string[],
  lines: readonly string[],
  keep: readonly boolean[],
  hint: string,
): string {
  const out: string[] = []
  for (let i = 0; i < lines.length; ) {
    if (keep[i]) {
      out.push(shown[i]!)
      i++
      continue
    }
    let j = i
    let size = 0
    while (j < lines.length && !keep[j]) size += bytes(lines[j++]!) + 1
    out.push(gapMarker(j - i, size, hint))
    i = j
  }
  return out.join('\n')
}
