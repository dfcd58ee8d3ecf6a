import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { formatCount } from '../../src/output/count.js'

test('formatCount writes a whole number as toLocaleString en-US does', () => {
  for (const n of [0, 7, 999, 1000, 12_345, 999_999, 1_000_000, -1, -1234]) {
    assert.equal(formatCount(n), n.toLocaleString('en-US'))
  }
  fc.assert(
    fc.property(fc.maxSafeInteger(), (n) => {
      assert.equal(formatCount(n), n.toLocaleString('en-US'))
    }),
    { numRuns: 2000 },
  )
})
