import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import fc from 'fast-check'
import { grepOutput } from '../../../src/faces/mcp/grep.js'
import { useTestStore } from '../../helpers/store.js'

/** What `grep -n -C` prints, computed on the whole text at once. */
function naiveGrep(text: string, pattern: RegExp, context: number): string {
  const lines = text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n')
  const shown = new Set<number>()
  const hits = new Set<number>()
  lines.forEach((line, i) => {
    if (!pattern.test(line)) return
    hits.add(i)
    for (let j = Math.max(0, i - context); j <= Math.min(lines.length - 1, i + context); j++) shown.add(j)
  })
  const out: string[] = []
  let last = -1
  for (const i of [...shown].sort((a, b) => a - b)) {
    if (last >= 0 && i > last + 1) out.push('--')
    out.push(`${i + 1}${hits.has(i) ? ':' : '-'}${lines[i]}`)
    last = i
  }
  return out.join('\n')
}

test('grep over bounded windows finds what a whole-text grep finds, across window boundaries', async (t) => {
  const store = await useTestStore(t)
  const tm = await store.open()
  const file = path.join(store.scratch, 'log.txt')
  const lineArb = fc.stringMatching(/^[ab ]{0,12}$/)
  await fc.assert(
    fc.asyncProperty(
      fc.array(lineArb, { minLength: 1, maxLength: 40 }),
      // The first window ends at 256 KiB: this puts the lines under test across that edge.
      fc.integer({ min: 256 * 1024 - 600, max: 256 * 1024 + 20 }),
      fc.integer({ min: 0, max: 3 }),
      async (lines, fillerBytes, context) => {
        // Filler lines put the interesting lines around the 256 KiB window edge.
        const filler = 'x'
          .repeat(99)
          .concat('\n')
          .repeat(Math.ceil(fillerBytes / 100))
        const text = `${filler}${lines.join('\n')}\n${filler}`
        fs.writeFileSync(file, text)
        const record = await tm.spawn({ command: `cat '${file}'`, notify: false })
        await tm.wait([record.taskId])
        const pattern = /ab/
        const result = await grepOutput(tm, record.taskId, pattern, {
          fromOffset: 0,
          contextLines: context,
          maxMatches: 1000,
          budgetBytes: 1024 * 1024,
          raw: true,
        })
        assert.equal(result.text, naiveGrep(text, pattern, context))
        assert.equal(result.truncated, false)
      },
    ),
    { numRuns: 25 },
  )
})
