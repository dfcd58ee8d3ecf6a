import { isDeepStrictEqual } from 'node:util'

// Compares what AFT and bgbash answered in one scenario, after normalising. Every place they
// differ must be a kept difference (differences.ts), seen exactly as described there; anything
// else is a new difference and fails the scenario.

/** What one side shows at a place where the two differ. */
export type Expect = 'absent' | 'present' | ((value: unknown) => boolean)

/** Where two values differ: the path to them and the objects that hold them. */
export interface Place {
  scenario: string
  /** Keys from the scenario's record down to the value; the last one names it. */
  path: string[]
  aftParent: unknown
  bgbashParent: unknown
}

/** A difference from AFT, listed in docs/protocol.md with its reason. */
export interface KeptDifference {
  /** The slug docs/protocol.md lists it under. */
  id: string
  /** True while it is a difference issue 17 has still to close; false when kept on purpose. */
  open: boolean
  /** It shows only on some runs (it hangs on AFT's timing): no scenario has to show it every time. */
  sometimes?: boolean
  /** The key (last path segment) it is about. */
  key: string | RegExp
  /** Narrows it to some frames or scenarios. */
  where?: (place: Place) => boolean
  aft: Expect
  bgbash: Expect
  /** When the two sides must also stand in some relation to each other. */
  pair?: (aft: unknown, bgbash: unknown) => boolean
}

export interface Mismatch {
  path: string
  aft: unknown
  bgbash: unknown
}

function fits(expect: Expect, value: unknown): boolean {
  if (expect === 'absent') return value === undefined
  if (expect === 'present') return value !== undefined
  return expect(value)
}

function matchesKey(key: string | RegExp, name: string): boolean {
  return typeof key === 'string' ? key === name : key.test(name)
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

/**
 * Walks both values; where they differ, looks for a kept difference that describes both sides.
 * Returns what no kept difference explains, and adds the ids of those that explained something.
 */
export function compare(
  scenario: string,
  aft: unknown,
  bgbash: unknown,
  differences: readonly KeptDifference[],
  used: Set<string>,
): Mismatch[] {
  const mismatches: Mismatch[] = []
  const walk = (a: unknown, b: unknown, path: string[], aftParent: unknown, bgbashParent: unknown) => {
    if (isDeepStrictEqual(a, b)) return
    const name = path.at(-1) ?? ''
    const place: Place = { scenario, path, aftParent, bgbashParent }
    const kept = differences.find(
      (d) =>
        matchesKey(d.key, name) &&
        (d.where === undefined || d.where(place)) &&
        fits(d.aft, a) &&
        fits(d.bgbash, b) &&
        (d.pair === undefined || d.pair(a, b)),
    )
    if (kept) {
      used.add(kept.id)
      return
    }
    if (isPlainObject(a) && isPlainObject(b)) {
      for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
        walk(a[key], b[key], [...path, key], a, b)
      }
      return
    }
    if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
      for (const [i, item] of a.entries()) walk(item, b[i], [...path, String(i)], a, b)
      return
    }
    mismatches.push({ path: path.join('.'), aft: a, bgbash: b })
  }
  walk(aft, bgbash, [], undefined, undefined)
  return mismatches
}

/** A mismatch as a failure message: where, and what each engine answered. */
export function describeMismatches(scenario: string, mismatches: Mismatch[]): string {
  const shown = (value: unknown) => (value === undefined ? '(absent)' : JSON.stringify(value))
  return [
    `${scenario}: ${mismatches.length} difference(s) from AFT that no kept difference explains:`,
    ...mismatches.map((m) => `  ${m.path}\n    aft:    ${shown(m.aft)}\n    bgbash: ${shown(m.bgbash)}`),
  ].join('\n')
}
