// The lines of a view: their sizes, cuts and markers (view-builder.ts keeps and picks them).
import path from 'node:path'
import { formatCount } from './count.js'
import type { Line } from './ends-keeper.js'
import { LinePriority } from './important.js'

export function bytes(text: string): number {
  return Buffer.byteLength(text)
}

/** Cuts text to at most `max` bytes without splitting a character, marking the cut. */
export function cutToBytes(text: string, max: number, fullBytes = bytes(text)): string {
  if (fullBytes <= max) return text
  const mark = ` …[+${fullBytes - max} bytes]`
  const room = Math.max(0, max - bytes(mark))
  const cut = Buffer.from(text.slice(0, room))
    .subarray(0, room)
    .toString('utf8')
    .replace(/\uFFFD$/, '')
  return `${cut}${mark}`
}

export /** Leading spaces and tabs of a line; a blank line counts as indented as any. */
function indentOf(line: string): number {
  const indent = line.length - line.trimStart().length
  return indent === line.length ? Number.POSITIVE_INFINITY : indent
}

/**
 * Writes the paths under `dir` relative to it (`/repo/test/a.js:3:1` → `test/a.js:3:1`, and node's
 * ESM frames `file:///repo/test/a.mjs:3:1` the same): where a path starts a word, after a space, a
 * quote, a bracket or `=`, never inside another path or URL. Nothing for no directory or the
 * root. Only shorter, never longer: the budget, counted on the lines as they came, holds.
 */
export function relativeTo(dir: string | undefined): ((line: string) => string) | undefined {
  if (dir === undefined || !path.isAbsolute(dir) || path.dirname(dir) === dir) return undefined
  const prefix = dir.endsWith(path.sep) ? dir : `${dir}${path.sep}`
  const escaped = prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  const pattern = new RegExp(`(^|[\\s'"(\\[=<\`])(?:file://)?${escaped}(?=[^\\s'")\\]>\`])`, 'g')
  return (line) => (line.includes(prefix) ? line.replace(pattern, '$1') : line)
}

/** A line that left the tail. */
export const GONE: Line = {
  index: -1,
  offset: 0,
  size: 0,
  text: '',
  shown: '',
  shownSize: 0,
  priority: LinePriority.plain,
  isContext: false,
  isFurther: false,
}

/**
 * Copies a kept line out of the chunk it was sliced from: a slice holds its whole 64 KiB chunk
 * alive, and lines kept from a thousand chunks would hold a thousand chunks.
 */
export function detach(line: Line): void {
  const isShownWhole = line.shown === line.text
  line.text = Buffer.from(line.text).toString()
  line.shown = isShownWhole ? line.text : Buffer.from(line.shown).toString()
}

/**
 * The line standing for lines left out. The one carrying the read hint (a view's first) says
 * their size too, and how to read them; the others only how many: "… 72 lines omitted …" (6 o200k
 * tokens, against 12 with the size).
 */
export function gapMarker(count: number, size: number, hint: string | undefined): string {
  const lines = `${formatCount(count)} line${count === 1 ? '' : 's'}`
  if (!hint) return `… ${lines} omitted …`
  const kb = size >= 1024 ? `${(size / 1024).toFixed(1)} KB` : `${size} bytes`
  return `… ${lines} (${kb}) omitted — ${hint} …`
}
