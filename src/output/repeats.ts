// Failures a test runner reports twice: node:test's spec reporter lists every failure again, flush
// left, under "✖ failing tests:" after its summary (jest under "Summary of all failing tests"). A
// view shows each failed test of such a list once; anything else, however often it comes (a
// retry loop, each cycle of a watch build, the same check failing for two targets), is shown as
// often as it comes.
import type { Line } from './ends-keeper.js'
import { isPointer, LinePriority } from './important.js'

/** The heading of a runner's closing list of the failures it reported already. */
const RECAP = /^\s*(?:✖ failing tests:|Summary of all failing tests)\s*$/

/** A failed test's heading, as test runners print it: node:test spec, jest, TAP. */
const TEST_HEADING = /^\s*(?:[✖×✗✕●]\s|not ok \d+\b)/

/** An error line's index and those of the context lines that follow it. */
export function blockAt(pool: ReadonlyMap<number, Line>, index: number, contextLines: number): number[] {
  const block = [index]
  for (let i = index + 1; block.length <= contextLines && pool.get(i)?.isContext; i++) block.push(i)
  return block
}

/**
 * The lines of failed tests reported again: a test's heading whose block (the heading and its
 * context, whatever the indent) came before, and what follows it up to the next line that says
 * something new (see isPartOfRepeat). `lines` are the kept lines in order.
 */
export function findRepeatedFailures(
  lines: readonly Line[],
  pool: ReadonlyMap<number, Line>,
  contextLines: number,
): Set<number> {
  const keys = new Map<number, string>()
  const keyOf = (index: number) => {
    let key = keys.get(index)
    if (key === undefined) {
      key = blockAt(pool, index, contextLines)
        .map((i) => pool.get(i)!.text.trimStart())
        .join('\n')
      keys.set(index, key)
    }
    return key
  }
  /** Each block's first index, by what it says. */
  const firstAt = new Map<string, number>()
  const isRepeat = (line: Line) => {
    const first = firstAt.get(keyOf(line.index))
    return first !== undefined && first !== line.index
  }
  const repeated = new Set<number>()
  let isInRecap = false
  for (let at = 0; at < lines.length; at++) {
    const line = lines[at]!
    if (RECAP.test(line.text)) isInRecap = true
    if (line.priority !== LinePriority.error || repeated.has(line.index)) continue
    if (!firstAt.has(keyOf(line.index))) firstAt.set(keyOf(line.index), line.index)
    if (!isInRecap || !isRepeat(line) || !TEST_HEADING.test(line.text)) continue
    repeated.add(line.index)
    for (let next = at + 1; next < lines.length; next++) {
      const part = lines[next]!
      if (!isPartOfRepeat(part, isRepeat)) break
      repeated.add(part.index)
    }
  }
  return repeated
}

/**
 * Whether a line after a repeated heading belongs to the repeat: a plain line (its diff, its
 * frames, its error's fields), a line saying where, or an error whose block came before too (the
 * assertion under the test's name, the next repeated heading). A summary, a warning or a new
 * error ends it.
 */
function isPartOfRepeat(line: Line, isRepeat: (line: Line) => boolean): boolean {
  if (line.priority === LinePriority.plain) return true
  if (line.priority === LinePriority.warning) return isPointer(line.text)
  return line.priority === LinePriority.error && isRepeat(line)
}
