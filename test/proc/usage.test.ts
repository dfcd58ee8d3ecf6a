import assert from 'node:assert/strict'
import { test } from 'node:test'
import { readProcessUsage } from '../../src/proc/usage.js'

test('readProcessUsage reads CPU and resident memory from a stat line, over a life or since a reading', () => {
  // Burn CPU until the kernel has counted some of it (its counters move in 10 ms ticks).
  const first = readProcessUsage([process.pid]).get(process.pid)!
  let later = first
  while (later.cpuSeconds < first.cpuSeconds + 0.05) later = readProcessUsage([process.pid]).get(process.pid)!
  assert.ok(later.cpuPercent > 0, 'CPU over its life')
  const rss = process.memoryUsage().rss
  assert.ok(
    Math.abs(later.memoryBytes - rss) < rss * 0.2,
    `${later.memoryBytes} bytes resident, node says ${rss}`,
  )
  let since = readProcessUsage([process.pid], new Map([[process.pid, later]])).get(process.pid)!
  while (since.at < later.at + 0.2)
    since = readProcessUsage([process.pid], new Map([[process.pid, later]])).get(process.pid)!
  // A busy loop since the reading: most of a core, however long this process lived before.
  assert.ok(since.cpuPercent > 20, `${since.cpuPercent}% since the last reading`)
  assert.equal(readProcessUsage([2 ** 22 + 1]).size, 0, 'a pid that is no process is left out')
})
