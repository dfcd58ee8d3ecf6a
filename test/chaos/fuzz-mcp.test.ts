import assert from 'node:assert/strict'
import path from 'node:path'
import { test } from 'node:test'
import { Client, InMemoryTransport } from '@modelcontextprotocol/client'
import fc from 'fast-check'
import { createServer } from '../../src/faces/mcp/server.js'
import { McpState } from '../../src/faces/mcp/state.js'
import { ERROR_CODES } from '../../src/index.js'
import type { ToolResult } from '../faces/mcp/harness.js'
import { snapshotTree, useTestStore } from '../helpers/store.js'
import { bySize, chaosSeed, Scenario } from './chaos.js'
import { checkProperty, idArbitrary, junkValue, makeCanary, snapshotContents } from './hostile.js'

// Random arguments for every MCP tool, through the real SDK client and server (linked in memory,
// so 10,000 calls take seconds). Every rejected call must come back as a clear tool error (a
// validation message naming the argument, or a bgbash error with its code), the server must keep
// serving, and neither the store nor a canary beside it may change. `bash` calls always carry one
// bad argument, so none of them may start a command.

const SESSION = 'fuzz-mcp'
const BATCH = 25
const CALL_TIMEOUT_MS = 15_000

interface Call {
  tool: string
  args: Record<string, unknown>
  /** bash calls: must be refused. */
  mustFail: boolean
}

const call = (tool: string, args: Record<string, unknown>, mustFail = false): Call =>
  ({
    tool,
    args,
    mustFail,
    [fc.toStringMethod]: () => `${tool} ${JSON.stringify(args).slice(0, 200)}`,
  }) as Call

/** Optional arguments: each key present or not, with a plausible value or junk. */
function argsOf(shape: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<Record<string, unknown>> {
  const withJunk = Object.fromEntries(
    Object.entries(shape).map(([key, plausible]) => [
      key,
      fc.oneof({ weight: 8, arbitrary: plausible }, { weight: 1, arbitrary: junkValue() }),
    ]),
  )
  return fc
    .tuple(
      fc.record(withJunk, { requiredKeys: [] }),
      fc.option(fc.dictionary(fc.string({ minLength: 1, maxLength: 10 }), junkValue(), { maxKeys: 2 }), {
        freq: 12,
      }),
    )
    .map(([known, unknown]) => ({ ...(unknown ?? {}), ...known }))
}

function callArbitrary(canary: string, realId: string): fc.Arbitrary<Call> {
  const id = fc.oneof(
    { weight: 3, arbitrary: idArbitrary(canary, ['bgb-00000000']) },
    { weight: 1, arbitrary: fc.constantFrom('bgb-00000000', 'bgb-ffffffff') },
    { weight: 2, arbitrary: fc.constant(realId) },
  )
  const ids = fc.oneof(fc.array(id, { maxLength: 4 }), junkValue())
  const count = (max: number) => fc.integer({ min: -5, max })
  const pattern = fc.oneof(
    fc.constantFrom('(', '[a-', '*', '/x/zz', '/(a+)+$/', 'real', 'error|fail', '\0', ''),
    fc.string({ maxLength: 20 }),
    fc.integer({ min: 4000, max: 6000 }).map((n) => 'p'.repeat(n)),
  )
  const flag = fc.boolean()
  const others: Array<fc.Arbitrary<Call>> = [
    argsOf({
      task_id: id,
      tail_lines: count(20_000),
      head_lines: count(20_000),
      offset: fc.integer({ min: -10, max: 2 ** 53 }),
      grep: pattern,
      context_lines: count(60),
      max_matches: count(2000),
      raw: flag,
    }).map((a) => call('bash_output', a)),
    argsOf({
      task_ids: ids,
      until: pattern,
      fail_on: pattern,
      mode: fc.constantFrom('any', 'all', 'first', ''),
      new_output_only: flag,
      // Nothing runs in this session, so no wait can last; the bound still keeps a bug from hanging the run.
      timeout_ms: fc.integer({ min: -1, max: 2000 }),
    }).map((a) => call('bash_wait', a)),
    argsOf({
      task_ids: ids,
      grace_ms: fc.integer({ min: -1, max: 70_000 }),
      dry_run: flag,
    }).map((a) => call('bash_kill', a)),
    argsOf({
      status: fc.constantFrom('active', 'running', 'completed', 'failed', 'killed', 'lost', 'bogus', ''),
      all_sessions: flag,
    }).map((a) => call('bash_list', a)),
    argsOf({
      task_id: id,
      input: fc.oneof(fc.string({ maxLength: 20 }), fc.constant('x'.repeat(70_000))),
      eof: flag,
    }).map((a) => call('bash_write', a)),
  ]
  const blocked = fc.constantFrom('LD_PRELOAD', 'LD_AUDIT', 'DYLD_X', 'BASH_ENV', 'ENV', 'IFS', 'PATH')
  // One argument that must make `bash` refuse; the rest plausible or junk.
  const poison: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
    fc.constantFrom<Record<string, unknown>>(
      { command: 42 },
      { command: '' },
      { command: null },
      { command: ['ls'] },
      { command: 'echo a\0b' },
      { command: 'x'.repeat(256 * 1024 + 1) },
      { cwd: `${canary}/missing` },
      { cwd: `${canary}/victim` },
      { cwd: `${canary}/../no-such-dir` },
      { cwd: `${canary}\0` },
      { cwd: 17 },
      { env: { 'A=B': 'x' } },
      { env: { '': 'x' } },
      { env: { OK: 5 } },
      { env: { OK: 'a\0b' } },
      { env: 'A=B' },
      { timeout_ms: -1 },
      { timeout_ms: 1.5 },
      { timeout_ms: 7 * 24 * 3600 * 1000 + 1 },
      { description: 'd'.repeat(501) },
      { stdin: 'yes' },
      { wait_ms: -1 },
      { wait_ms: 1.5 },
      { background: 1 },
      { bogus_argument: true },
    ),
    blocked.map((name) => ({ env: { CHAOS_OK: '1', [name]: '/tmp/x' } })),
  )
  const bash = fc
    .tuple(
      fc.string({ minLength: 1, maxLength: 60 }),
      fc.record(
        {
          cwd: fc.constant(canary),
          env: fc.constant({ CHAOS_OK: '1' }),
          timeout_ms: fc.integer({ min: 1, max: 60_000 }),
          description: fc.string({ maxLength: 40 }),
          background: flag,
          wait_ms: fc.integer({ min: 0, max: 1000 }),
        },
        { requiredKeys: [] },
      ),
      poison,
    )
    .map(([command, extras, bad]) => call('bash', { command, ...extras, ...bad }, true))
  const unknownTool = fc
    .oneof(
      fc.string({ maxLength: 20 }),
      fc.constantFrom('BASH', 'bash ', '../bash', 'constructor', '__proto__'),
    )
    .filter(
      (name) => !['bash', 'bash_output', 'bash_wait', 'bash_kill', 'bash_list', 'bash_write'].includes(name),
    )
    .map((name) => call(name, {}, true))
  return fc.oneof({ weight: 6, arbitrary: bash }, ...others.map((arbitrary) => ({ weight: 2, arbitrary })), {
    weight: 1,
    arbitrary: unknownTool,
  })
}

const KNOWN_TOOLS = new Set(['bash', 'bash_output', 'bash_wait', 'bash_kill', 'bash_list', 'bash_write'])
const CODES = new Set<string>(ERROR_CODES)

test('MCP tools under random arguments: clear tool errors, still serving, store and canary unchanged', async (t) => {
  const total = bySize(400, 10_000)
  const seed = chaosSeed()
  const scenario = new Scenario(t, `fuzz mcp: ${total} random tool calls`)
  t.diagnostic(`seed ${seed} (BGBASH_CHAOS_SEED=${seed} replays it)`)
  const store = await useTestStore(t)
  const canary = makeCanary(store.home)
  const tm = await store.open({ sessionId: SESSION })
  const state = new McpState(tm)
  // Structured, so each error's code can be checked against the engine's list.
  const server = createServer(tm, { state, version: '0.0.0-chaos', isStructured: true })
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair()
  await server.connect(serverSide)
  const client = new Client({ name: 'bgbash-chaos', version: '1.0.0' })
  t.after(async () => {
    await client.close()
    state.dispose()
  })
  await client.connect(clientSide)
  const callTool = async (tool: string, args: Record<string, unknown>) =>
    (await client.callTool(
      { name: tool, arguments: args },
      { timeout: CALL_TIMEOUT_MS },
    )) as unknown as ToolResult

  // A real task, ended and its completion handed out, so calls on a real id are fuzzed too.
  const real = await callTool('bash', { command: 'echo real; exit 3' })
  const realId = real.structuredContent!.task_id as string
  assert.equal(real.structuredContent!.exit_code, 3)
  await callTool('bash_output', { task_id: realId })
  // Successful reads may move this session's read cursor of the real task (a record in its
  // directory); rejected calls must change nothing, so only those records are left out.
  const storeTree = () => snapshotTree(store.home).filter((entry) => !/\/cursor-[^/ ]*\.json /.test(entry))
  const storeBefore = storeTree()
  const canaryBefore = snapshotContents(canary)
  const parentTree = () =>
    snapshotTree(path.dirname(store.home)).filter((entry) => !entry.startsWith('store'))
  const parentBefore = parentTree()

  const outcomes = new Map<string, number>()
  const count = (key: string) => outcomes.set(key, (outcomes.get(key) ?? 0) + 1)
  let calls = 0
  const started = performance.now()
  await scenario.run(async () => {
    await checkProperty(
      fc.array(callArbitrary(canary, realId), { minLength: BATCH, maxLength: BATCH }),
      async (batch) => {
        for (const c of batch) {
          const shown = `${c.tool} ${JSON.stringify(c.args).slice(0, 300)}`
          calls++
          if (!KNOWN_TOOLS.has(c.tool)) {
            await assert.rejects(callTool(c.tool, c.args), /Tool .* (not found|disabled)/, shown)
            count('unknown tool')
            continue
          }
          const result = await callTool(c.tool, c.args)
          const text = result.content[0]?.text ?? ''
          if (!result.isError) {
            assert.equal(c.mustFail, false, `a bad call was accepted: ${shown} → ${text.slice(0, 300)}`)
            count('ok')
            continue
          }
          const error = result.structuredContent?.error as { code: string; message: string } | undefined
          if (error) {
            assert.ok(CODES.has(error.code), `a bgbash error code: ${shown} → ${JSON.stringify(error)}`)
            assert.ok(error.message.length > 10, shown)
            assert.equal(text, `Error (${error.code}): ${error.message}`, shown)
            if (c.tool === 'bash')
              assert.ok(
                ['invalid_request', 'cwd_not_found', 'blocked_env_var'].includes(error.code),
                `${shown} → ${error.code}`,
              )
            count(error.code)
          } else {
            // Refused by the input schema before the tool ran: the SDK names the argument.
            assert.match(text, /^Input validation error: Invalid arguments for tool \w+: .{10,}/s, shown)
            count('input validation')
          }
        }
        const probe = await callTool('bash_list', {})
        assert.equal(
          probe.isError,
          undefined,
          `the server still serves: ${JSON.stringify(probe).slice(0, 300)}`,
        )
      },
      { numRuns: total / BATCH, seed },
    )
    assert.deepEqual(storeTree(), storeBefore, 'the store is unchanged')
    assert.deepEqual(snapshotContents(canary), canaryBefore, 'the canary beside the store is unchanged')
    assert.deepEqual(parentTree(), parentBefore, 'nothing new beside the store')
    const rate = Math.round(calls / ((performance.now() - started) / 1000))
    scenario.figure = `${calls} calls (${rate}/s): ${[...outcomes].map(([k, n]) => `${k} ${n}`).join(', ')}; store and canary unchanged, seed ${seed}`
  })
})
