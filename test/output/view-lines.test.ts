import assert from 'node:assert/strict'
import { test } from 'node:test'
import { gapMarker, relativeTo } from '../../src/output/view-lines.js'

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

test('paths under a directory (and file: URLs of them) are written relative to it where a path starts, never inside another path or a web URL', () => {
  const relative = relativeTo('/repo/app')!
  const cases: Array<[line: string, shown: string]> = [
    ["  location: '/repo/app/test/a.js:12:1'", "  location: 'test/a.js:12:1'"],
    ['    at x (/repo/app/src/a.ts:3:4)', '    at x (src/a.ts:3:4)'],
    ['/repo/app/x.js:1 error', 'x.js:1 error'],
    ['--outDir=/repo/app/dist', '--outDir=dist'],
    [
      '    at TestContext.<anonymous> (file:///repo/app/x.test.mjs:7:48)',
      '    at TestContext.<anonymous> (x.test.mjs:7:48)',
    ],
    ['see https://example.com/repo/app/x.mjs', 'see https://example.com/repo/app/x.mjs'],
    ['/repo/apple/x.js', '/repo/apple/x.js'],
    ['cd /repo/app/ && ls', 'cd /repo/app/ && ls'],
    ['/repo/app', '/repo/app'],
    ['/srv/repo/app/x.js', '/srv/repo/app/x.js'],
  ]
  for (const [line, shown] of cases) assert.equal(relative(line), shown, line)
  assert.equal(relativeTo('/'), undefined, 'the root: every path would lose its slash')
  assert.equal(relativeTo('repo/app'), undefined, 'a relative directory')
  assert.equal(relativeTo(undefined), undefined)
})
