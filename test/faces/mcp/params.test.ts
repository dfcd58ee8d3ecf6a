import assert from 'node:assert/strict'
import { test } from 'node:test'
import { MAX_WAIT_MS, waitSchema } from '../../../src/faces/mcp/params.js'

test('a wait longer than any client lets a call last is cut to the longest wait, not refused', () => {
  assert.ok(MAX_WAIT_MS < 300_000, "under Codex's hard 300 s tool-call timeout")
  const schema = waitSchema('timeout_ms', 1)
  assert.equal(schema.parse(600_000), MAX_WAIT_MS)
  assert.equal(schema.parse(10 ** 9), MAX_WAIT_MS)
  assert.equal(schema.parse(5_000), 5_000)
  assert.throws(() => schema.parse(0), /timeout_ms must be at least 1/)
  assert.throws(() => schema.parse(1.5), /timeout_ms must be a whole number/)
})
