import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { compare, describeMismatches } from './compare.js'
import { KEPT_DIFFERENCES } from './differences.js'
import { readListedDifferences } from './docs.js'
import { findAftBinary } from './engines.js'
import { playScenario, type Scenario } from './run.js'
import { DELIVERY_SCENARIOS } from './scenarios-delivery.js'
import { ENGINE_SCENARIOS } from './scenarios-engine.js'
import { ERROR_SCENARIOS } from './scenarios-errors.js'
import { FOREGROUND_SCENARIOS } from './scenarios-foreground.js'
import { RESTART_SCENARIOS } from './scenarios-restart.js'
import { TASK_SCENARIOS } from './scenarios-tasks.js'
import { WATCH_SCENARIOS } from './scenarios-watches.js'

// The differential conformance suite: each scenario is played against the real AFT 0.57.2 binary
// and against `bgbash ndjson`, and what they answered is compared (see docs/protocol.md,
// "Conformance, measured"). CONFORMANCE_ONLY=<part of a title> plays only matching scenarios;
// CONFORMANCE_DUMP=<dir> writes each scenario's normalised records there, for a look at both.

const SCENARIOS: Scenario[] = [
  ...TASK_SCENARIOS,
  ...DELIVERY_SCENARIOS,
  ...ERROR_SCENARIOS,
  ...WATCH_SCENARIOS,
  ...RESTART_SCENARIOS,
  ...FOREGROUND_SCENARIOS,
  ...ENGINE_SCENARIOS,
]

const skip = findAftBinary() ? false : 'the AFT binary (@cortexkit/aft-linux-x64) is not installed'
const used = new Set<string>()
let failures = 0
const only = process.env.CONFORMANCE_ONLY
const dump = process.env.CONFORMANCE_DUMP

for (const scenario of SCENARIOS) {
  if (only && !scenario.title.includes(only)) continue
  test(`conformance: ${scenario.title}`, { skip }, async () => {
    const [aft, bgbash] = await Promise.all([playScenario('aft', scenario), playScenario('bgbash', scenario)])
    if (dump)
      fs.writeFileSync(
        path.join(dump, `${scenario.title.replace(/\W+/g, '-')}.json`),
        JSON.stringify({ aft, bgbash }, null, 1),
      )
    const mismatches = compare(scenario.title, aft, bgbash, KEPT_DIFFERENCES, used)
    if (mismatches.length > 0) failures++
    assert.equal(mismatches.length, 0, describeMismatches(scenario.title, mismatches))
  })
}

test('conformance: every kept difference shows in some scenario and is listed in docs/protocol.md', {
  skip,
}, () => {
  // With scenarios left out or failed, an unused difference says nothing.
  if (only || failures > 0) return
  const ids = new Set(KEPT_DIFFERENCES.filter((d) => !d.sometimes).map((d) => d.id))
  assert.deepEqual(
    [...ids].filter((id) => !used.has(id)),
    [],
    'kept differences no scenario shows any more',
  )
  const listed = readListedDifferences()
  for (const open of [false, true]) {
    const expected = [...new Set(KEPT_DIFFERENCES.filter((d) => d.open === open).map((d) => d.id))].sort()
    assert.deepEqual(
      listed[open ? 'open' : 'kept'],
      expected,
      `docs/protocol.md lists other ${open ? 'open' : 'kept'} differences`,
    )
  }
})
