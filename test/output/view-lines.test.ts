import assert from 'node:assert/strict'
import { test } from 'node:test'
import { gapMarker } from '../../src/output/view-lines.js'

test('a gap marker with the read hint says how much and how to read it; the others how many lines', () => {
  const cases: Array<[count: number, size: number, hint: string | undefined, marker: string]> = [
    [
      36,
      752,
      'read it with bash_output bgb-1',
      '… 36 lines (752 bytes) omitted — read it with bash_output bgb-1 …',
    ],
    [
      1,
      24,
      'read it with bash_output bgb-1',
      '… 1 line (24 bytes) omitted — read it with bash_output bgb-1 …',
    ],
    [1200, 1740, 'grep it', '… 1,200 lines (1.7 KB) omitted — grep it …'],
    [72, 1740, undefined, '… 72 lines omitted …'],
    [1, 24, undefined, '… 1 line omitted …'],
    [12345, 999999, undefined, '… 12,345 lines omitted …'],
    [3, 40, '', '… 3 lines omitted …'],
  ]
  for (const [count, size, hint, marker] of cases) assert.equal(gapMarker(count, size, hint), marker)
})
