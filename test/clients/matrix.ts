// The client matrix (`npm run test:clients`): the three harnesses, installed from npm at pinned
// versions, each run against a scripted fake model with `bgbash mcp` as its server. It asserts on
// what the model received — the tool results inside the requests the harness sent back — and
// prints the tokens each client spent on bgbash's definitions and results.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { useTestStore } from '../helpers/store.js'
import { pollUntil } from '../helpers/wait.js'
import { runClaudeCode } from './claude-code/driver.js'
import { runCodex } from './codex/driver.js'
import { tokensOf } from './matrix-tokens.js'
import { runOpenCode } from './opencode/driver.js'
import { type Driver, type DriverResult, type SeenResult, seenOf, taskIdIn } from './scenario.js'
import { matrixScenario } from './scenarios.js'
import { sdkDriver } from './sdk/driver.js'

/** What every client's tool definitions for bgbash may cost, as the client sends them. */
const MAX_DEFINITION_TOKENS = 1200

/**
 * Each client, and whether a background task outlives it: OpenCode, when it exits, sends SIGTERM
 * to every descendant of its MCP servers (it walks them with `pgrep -P`), and bgbash's tasks are
 * the server's descendants. Asserted as it is, so a change on either side shows here.
 */
const CLIENTS: Array<[string, Driver, { tasksOutliveIt: boolean }]> = [
  ['SDK client (reference)', sdkDriver(), { tasksOutliveIt: true }],
  ['Claude Code', runClaudeCode, { tasksOutliveIt: true }],
  ['Codex', runCodex, { tasksOutliveIt: true }],
  ['OpenCode', runOpenCode, { tasksOutliveIt: false }],
]

function step(result: DriverResult, name: string): SeenResult {
  const seen = seenOf(result.seen, name)
  assert.ok(seen, `the model saw the result of ${name}`)
  return seen
}

for (const [client, driver, { tasksOutliveIt }] of CLIENTS) {
  test(`${client}: the model reads the same compact results, completions included`, {
    timeout: 600_000,
  }, async (t) => {
    const store = await useTestStore(t)
    const cwd = path.join(store.scratch, 'project')
    const harnessHome = path.join(store.scratch, 'harness')
    fs.mkdirSync(cwd)
    fs.mkdirSync(harnessHome)
    const abort = new AbortController()
    t.after(() => abort.abort())
    const scenario = matrixScenario(store.home)
    const result = await driver({ scenario, home: store.home, cwd, harnessHome, signal: abort.signal })
    // When an assertion below fails, what the model saw and the harness's log say why.
    let isChecked = false
    t.after(() => {
      if (isChecked) return
      for (const seen of result.seen)
        t.diagnostic(`${seen.step} (${seen.tool}): ${JSON.stringify(seen.text)}`)
      t.diagnostic(`harness log (end): ${result.log.slice(-3000)}`)
    })
    assert.equal(result.seen.length, scenario.steps.length, result.log.slice(-4000))

    // No JSON: the text, which every client forwards as it is.
    for (const seen of result.seen) assert.doesNotMatch(seen.text, /"task_id":/, `${seen.step} came as JSON`)

    const started = step(result, 'start-background')
    const serverId = taskIdIn(started)
    assert.match(started.text, new RegExp(`Started ${serverId} in the background \\(pid \\d+\\)`))
    assert.match(started.text, /reported on a later bgbash result; bash_wait waits for it/)

    // The quick task ended before the error result: its completion rides on it, and reaches the model.
    const quickId = taskIdIn(step(result, 'start-quick'))
    const failed = step(result, 'error-with-completion')
    assert.match(failed.text, /task_not_found/)
    assert.match(failed.text, new RegExp(`Background task ${quickId} finished: failed, exit 3`))
    assert.match(failed.text, /quick-output-41/)
    const told = result.seen.filter((seen) => seen.text.includes(`${quickId} finished`))
    assert.equal(told.length, 1, 'the completion is told exactly once')

    assert.match(step(result, 'foreground').text, /Completed, exit 0 after .*\nforeground-done/)
    assert.match(step(result, 'wait-for-output').text, /server-starting/)
    const listed = step(result, 'list').text
    assert.match(listed, new RegExp(`${quickId} +failed +3 `))
    assert.match(listed, new RegExp(`${serverId} +running `))
    assert.match(step(result, 'kill').text, new RegExp(`${serverId} killed by mcp \\(SIGTERM, exit 143\\)`))

    const survivorId = taskIdIn(step(result, 'start-survivor'))
    const reader = await store.open({ projectRoot: cwd, readOnly: true })
    // Its end, if the client's exit ended it, may still be on its way to the store.
    const survivor = tasksOutliveIt
      ? await reader.status(survivorId)
      : await pollUntil(
          () => reader.status(survivorId),
          (record) => record.status !== 'running',
          { what: `${client} to end the task as it exited` },
        )
    if (tasksOutliveIt) assert.equal(survivor.status, 'running', `${client} left the task running`)
    t.diagnostic(
      `${client}: a background task after the client exited: ${survivor.status}${survivor.signal ? ` (${survivor.signal})` : ''}`,
    )

    const definitions = tokensOf(result.toolDefinitions)
    const results = result.seen.reduce((sum, seen) => sum + tokensOf(seen.text), 0)
    t.diagnostic(
      `${client}: tool definitions ${definitions} o200k tokens; the ${result.seen.length} results ${results}`,
    )
    for (const seen of result.seen) t.diagnostic(`  ${seen.step}: ${tokensOf(seen.text)}`)
    assert.ok(definitions <= MAX_DEFINITION_TOKENS, `${client} sent ${definitions} tokens of definitions`)
    isChecked = true
  })
}
