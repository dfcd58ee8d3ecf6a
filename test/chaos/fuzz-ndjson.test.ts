import assert from 'node:assert/strict'
import path from 'node:path'
import { type TestContext, test } from 'node:test'
import fc from 'fast-check'
import { isTaskId } from '../../src/index.js'
import { type Frame, NdjsonClient } from '../helpers/ndjson-client.js'
import { snapshotTree, useTestStore } from '../helpers/store.js'
import { bySize, chaosSeed, Scenario } from './chaos.js'
import { checkProperty, idArbitrary, junkValue, makeCanary, snapshotContents, trickyIds } from './hostile.js'

// Hostile input on the NDJSON engine, through the built binary's real stdin framing: random bytes,
// truncated JSON, raw control bytes, wrong types, huge strings, unknown commands, path tricks in
// ids. Each bad line must get exactly one clear typed error, the engine must keep answering, and
// neither the store nor a canary directory beside it may change.

const COMMANDS = [
  'configure',
  'bash',
  'bash_status',
  'bash_kill',
  'bash_promote',
  'bash_drain_completions',
  'bash_ack_completions',
  'bash_notify',
  'bash_unnotify',
  'bash_write',
  'status',
]
/** Every code the protocol may answer with (src/faces/ndjson/protocol.ts). */
const WIRE_CODES = new Set([
  'invalid_request',
  'unknown_command',
  'task_not_found',
  'blocked_env_var',
  'background_task_limit_exceeded',
  'too_many_watches',
  'execution_failed',
  'kill_failed',
  'task_not_pty',
  'feature_disabled',
  'invalid_regex',
  'task_not_running',
  'cwd_not_found',
  'storage_failed',
])
/** Names an object literal inherits: a lookup table keyed by them answers with Object.prototype. */
const PROTOTYPE_NAMES = [
  'constructor',
  'toString',
  '__proto__',
  'hasOwnProperty',
  'valueOf',
  'isPrototypeOf',
  '__defineGetter__',
]
/** Sessions opened before the store snapshot: a first request from a new session creates its directory. */
const SESSIONS = ['fuzz-a', 'fuzz-b']
const BATCH = 50

interface Case {
  kind: string
  line: Buffer
  /** Codes a rejection may carry; `any` = a success or any typed error is fine (reads of a real task). */
  codes: ReadonlySet<string> | 'any'
  /** The id the response must carry; undefined = not checked. */
  id?: string | null
}

const INVALID = new Set(['invalid_request'])
const ID_CODES = new Set(['invalid_request', 'task_not_found'])
const SPAWN_CODES = new Set(['invalid_request', 'cwd_not_found', 'blocked_env_var'])

/** A case that prints itself briefly in a fast-check counterexample (lines may be megabytes). */
function mk(kind: string, bytes: Buffer | string, codes: Case['codes'], id?: string | null): Case {
  const data = typeof bytes === 'string' ? Buffer.from(bytes) : bytes
  return {
    kind,
    line: data,
    codes,
    id,
    [fc.toStringMethod]: () =>
      `${kind} (${data.length} B): ${JSON.stringify(data.subarray(0, 160).toString('utf8'))}`,
  } as Case
}

let serial = 0
const nextId = (kind: string) => `${kind}-${serial++}`
const session = fc.constantFrom(...SESSIONS)
const commandName = fc.constantFrom(...COMMANDS)

function caseArbitrary(canary: string, realId: string): fc.Arbitrary<Case> {
  const randomBytes = fc.uint8Array({ minLength: 1, maxLength: 300 }).map((bytes): Case => {
    const clean = Buffer.from(bytes.map((b) => (b === 0x0a ? 0x20 : b)))
    const text = clean.toString('utf8').replace(/\r$/, '')
    return mk('random bytes', clean, text.trim() === '' ? new Set() : INVALID)
  })
  const request = fc.record({
    command: commandName,
    session_id: session,
    params: fc.dictionary(fc.string({ maxLength: 12 }), junkValue(), { maxKeys: 4 }),
  })
  const truncated = fc.tuple(request, fc.double({ min: 0, max: 1, noNaN: true })).map(([body, at]): Case => {
    const id = nextId('trunc')
    const text = JSON.stringify({ id, ...body })
    const cut = Math.max(1, Math.min(text.length - 1, Math.floor(at * text.length)))
    const idEnd = `{"id":"${id}"`.length
    return mk('truncated JSON', text.slice(0, cut), INVALID, cut >= idEnd ? id : null)
  })
  // Raw control bytes are never JSON whitespace and never allowed inside a JSON string.
  const controlByte = fc.constantFrom(0, 1, 2, 7, 8, 0x0b, 0x0c, 0x0e, 0x1b, 0x1f)
  const rawControl = fc
    .tuple(request, fc.double({ min: 0, max: 1, noNaN: true }), controlByte)
    .map(([body, at, byte]): Case => {
      const text = Buffer.from(JSON.stringify({ id: nextId('ctl'), ...body }))
      const cut = Math.floor(at * text.length)
      return mk(
        'raw control byte',
        Buffer.concat([text.subarray(0, cut), Buffer.from([byte]), text.subarray(cut)]),
        INVALID,
      )
    })
  const notObject = fc
    .jsonValue({ maxDepth: 2 })
    .filter((v) => v === null || typeof v !== 'object' || Array.isArray(v))
    .filter((v) => JSON.stringify(v).trim() !== '')
    .map((v) => mk('not an object', JSON.stringify(v), INVALID, null))
  const badIdType = fc
    .tuple(
      fc.oneof(fc.constant(undefined), fc.boolean(), fc.constant(null), fc.array(fc.string()), fc.object()),
      request,
    )
    .map(([id, body]) => mk('id of a wrong type', JSON.stringify({ id, ...body }), INVALID, null))
  const badEnvelope = fc
    .tuple(
      fc.oneof(
        fc.record({
          command: fc.oneof(fc.integer(), fc.constant(''), fc.constant(null), fc.array(fc.string())),
        }),
        fc.record({
          command: commandName,
          params: fc.oneof(fc.constant(null), fc.integer(), fc.string(), fc.array(fc.jsonValue())),
        }),
        fc.record({
          command: commandName,
          session_id: fc.oneof(
            fc.constant(''),
            fc.integer(),
            fc.boolean(),
            fc.object(),
            fc.integer({ min: 1025, max: 20_000 }).map((n) => 's'.repeat(n)),
          ),
        }),
        fc.record({ method: fc.oneof(fc.integer(), fc.constant('')), command: commandName }),
      ),
      fc.oneof(fc.string({ maxLength: 10 }), fc.integer()),
    )
    .map(([body, id]) => mk('envelope of wrong types', JSON.stringify({ id, ...body }), INVALID, String(id)))
  const unknownName = fc
    .oneof(
      fc.string({ minLength: 1, maxLength: 30 }),
      fc.constantFrom(...PROTOTYPE_NAMES),
      fc.constantFrom(
        'BASH',
        'bash ',
        ' bash',
        'bash\0',
        '../bash',
        'bash/../status',
        'Status',
        'shutdown',
        'eval',
      ),
    )
    .filter((name) => !COMMANDS.includes(name))
  const unknownCommand = fc
    .tuple(unknownName, fc.boolean(), fc.string({ maxLength: 20 }), fc.option(junkValue()))
    .map(([name, viaMethod, sessionId, params]): Case => {
      const id = nextId('unknown')
      const body: Frame = viaMethod ? { id, method: name } : { id, command: name }
      // Any session: an unknown command is refused before a session is opened.
      if (sessionId !== '') body.session_id = sessionId
      if (params !== null && typeof params === 'object' && !Array.isArray(params)) body.params = params
      return mk('unknown command', JSON.stringify(body), new Set(['unknown_command']), id)
    })
  const hugeId = fc.integer({ min: 10_000, max: 200_000 }).map((n): Case => {
    const id = `huge-${'i'.repeat(n)}`
    return mk('huge id', JSON.stringify({ id, command: 'no_such_command' }), new Set(['unknown_command']), id)
  })
  const trickyId = fc
    .tuple(
      fc.constantFrom(
        'bash_status',
        'bash_kill',
        'bash_promote',
        'bash_notify',
        'bash_unnotify',
        'bash_write',
      ),
      fc.oneof(
        fc.constantFrom(...trickyIds(canary), 'bgb-00000000', 'bgb-ffffffff'),
        fc.string({ maxLength: 30 }),
      ),
      session,
      fc.boolean(),
    )
    .filter(([, taskId]) => taskId !== realId)
    .map(([command, taskId, sessionId, nested]): Case => {
      const id = nextId('path')
      const params: Frame = { task_id: taskId, pattern: 'x', input: 'y\n', watch_id: 'watch-00000001' }
      const body = nested
        ? { id, command, session_id: sessionId, params }
        : { id, method: command, session_id: sessionId, ...params }
      // AFT answers unregistered: true for a well-formed id it does not know; bgbash does the same.
      const isUnnotifyOfWellFormed = command === 'bash_unnotify' && isTaskId(taskId)
      return mk('path trick in task_id', JSON.stringify(body), isUnnotifyOfWellFormed ? 'any' : ID_CODES, id)
    })
  const trickyAck = fc
    .tuple(fc.array(idArbitrary(canary), { minLength: 1, maxLength: 4 }), session)
    .filter(([ids]) => ids.some((v) => !isTaskId(v)))
    .map(([taskIds, sessionId]): Case => {
      const id = nextId('ack')
      const body = {
        id,
        command: 'bash_ack_completions',
        session_id: sessionId,
        params: { task_ids: taskIds },
      }
      // As AFT, ack answers with any list of strings (acking what is no task as nothing).
      const codes = taskIds.every((v) => typeof v === 'string') ? 'any' : INVALID
      return mk('path trick in task_ids', JSON.stringify(body), codes, id)
    })
  const blocked = fc.constantFrom(
    'LD_PRELOAD',
    'LD_LIBRARY_PATH',
    'LD_AUDIT',
    'DYLD_INSERT_LIBRARIES',
    'BASH_ENV',
    'ENV',
    'IFS',
    'PATH',
  )
  const poison: fc.Arbitrary<Frame> = fc.oneof(
    fc.constantFrom(
      { workdir: `${canary}/missing` },
      { workdir: `${canary}/victim` },
      { workdir: `${canary}/../no-such-dir` },
      { workdir: `${canary}\0/sub` },
      { workdir: 'no/such/relative/dir' },
      { workdir: '' },
      { workdir: 42 },
      { env: { 'A=B': 'x' } },
      { env: { '1X': 'x' } },
      { env: { '': 'x' } },
      { env: { 'A\0B': 'x' } },
      { env: { OK_NAME: 'x\0y' } },
      { env: { OK_NAME: 7 } },
      { env: ['A=B'] },
      { env: 'A=B' },
      { timeout: -1 },
      { timeout: 1.5 },
      { timeout: '60000' },
      { timeout: 7 * 24 * 3600 * 1000 + 1 },
      { notify_on_completion: 'yes' },
      { stdin: 1 },
      { description: 'd'.repeat(1001) },
      { description: { text: 'x' } },
      { wait: true, background: true },
      { command: '' },
      { command: '   ' },
      { command: 'echo a\0b' },
      { command: 42 },
      { command: ['echo', 'x'] },
      { command: null },
      { command: 'x'.repeat(256 * 1024 + 1) },
      { command: '€'.repeat(90_000) },
    ),
    blocked.map((name) => ({ env: { SAFE_NAME: 'v', [name]: '/tmp/x' } })),
  )
  const badSpawn = fc
    .tuple(
      fc.string({ minLength: 1, maxLength: 80 }).filter((s) => s.trim() !== '' && !s.includes('\0')),
      fc.record(
        {
          workdir: fc.constant(canary),
          env: fc.constant({ CHAOS_SAFE: '1' }),
          timeout: fc.integer({ min: 0, max: 60_000 }),
          notify_on_completion: fc.boolean(),
          description: fc.string({ maxLength: 50 }),
        },
        { requiredKeys: [] },
      ),
      poison,
      session,
      fc.boolean(),
    )
    .map(([command, extras, bad, sessionId, nested]): Case => {
      const id = nextId('spawn')
      const params = { command, ...extras, ...bad }
      const body = nested
        ? { id, command: 'bash', session_id: sessionId, params }
        : { id, method: 'bash', session_id: sessionId, ...params }
      return mk('bash with one bad field', JSON.stringify(body), SPAWN_CODES, id)
    })
  // Reads of a real (ended, delivered) task with junk parameters: success or a typed error.
  const realReads = fc
    .tuple(
      fc.constantFrom('bash_status', 'bash_kill', 'bash_write', 'bash_unnotify'),
      fc.dictionary(
        fc.constantFrom('output_offset', 'stderr_offset', 'input', 'eof', 'watch_id', 'pattern'),
        junkValue(),
        { maxKeys: 3 },
      ),
    )
    .map(([command, params]): Case => {
      const id = nextId('real')
      const body = { id, command, session_id: SESSIONS[0], params: { ...params, task_id: realId } }
      return mk('junk params on a real task', JSON.stringify(body), 'any', id)
    })
  return fc.oneof(
    { weight: 3, arbitrary: randomBytes },
    { weight: 3, arbitrary: truncated },
    { weight: 2, arbitrary: rawControl },
    { weight: 1, arbitrary: notObject },
    { weight: 1, arbitrary: badIdType },
    { weight: 2, arbitrary: badEnvelope },
    { weight: 2, arbitrary: unknownCommand },
    { weight: 1, arbitrary: hugeId },
    { weight: 3, arbitrary: trickyId },
    { weight: 1, arbitrary: trickyAck },
    { weight: 4, arbitrary: badSpawn },
    { weight: 2, arbitrary: realReads },
  )
}

/** Sends lines and a `status` probe; resolves with the responses that came before the probe's. */
async function exchange(client: NdjsonClient, lines: Buffer[]): Promise<Frame[]> {
  const from = client.frames.length
  for (const l of lines) client.sendRaw(Buffer.concat([l, Buffer.from('\n')]))
  const probe = await client.request('status', undefined, { session_id: SESSIONS[0] })
  assert.equal(probe.success, true, `the engine still answers: ${JSON.stringify(probe).slice(0, 300)}`)
  const to = client.frames.indexOf(probe)
  // Push frames (pattern matches on the real task) carry a type; responses never do.
  return client.frames.slice(from, to).filter((frame) => frame.type === undefined)
}

function checkResponse(c: Case, response: Frame | undefined): void {
  const shown = `${c.kind}: ${c.line.subarray(0, 300).toString('utf8')} → ${JSON.stringify(response)?.slice(0, 400)}`
  assert.ok(response, `one response for ${shown}`)
  assert.equal(typeof response.success, 'boolean', shown)
  if (c.id !== undefined) assert.equal(response.id, c.id, `the response names the request: ${shown}`)
  if (response.success === true) {
    assert.equal(c.codes, 'any', `a bad line was accepted: ${shown}`)
    return
  }
  assert.ok(WIRE_CODES.has(response.code), `a known code: ${shown}`)
  if (c.codes !== 'any') assert.ok(c.codes.has(response.code), `expected ${[...c.codes].join('|')}: ${shown}`)
  assert.equal(typeof response.message, 'string', shown)
  assert.ok(response.message.length > 10, `a clear message: ${shown}`)
  assert.doesNotMatch(response.message, /^Internal error/, `not an internal error: ${shown}`)
}

async function startFuzzEngine(t: TestContext) {
  const store = await useTestStore(t)
  const canary = makeCanary(store.home)
  const client = new NdjsonClient(store.home)
  t.after(() => client.kill())
  for (const sessionId of SESSIONS)
    assert.equal((await client.request('status', undefined, { session_id: sessionId })).success, true)
  return { store, canary, client }
}

test('NDJSON engine under hostile input: one clear typed error per bad line, still serving, store and canary unchanged', async (t) => {
  const total = bySize(400, 10_000)
  const seed = chaosSeed()
  const scenario = new Scenario(t, `fuzz ndjson: ${total} hostile lines + one over 16 MiB`)
  t.diagnostic(`seed ${seed} (BGBASH_CHAOS_SEED=${seed} replays it)`)
  const { store, canary, client } = await startFuzzEngine(t)
  // A real task, ended and acknowledged, so reads of a real id are fuzzed too.
  const started = await client.request('bash', { command: 'echo real; exit 3' }, { session_id: SESSIONS[0] })
  const realId = started.task_id as string
  await client.waitFor((f) => f.type === 'bash_completed' && f.task_id === realId)
  const acked = await client.request(
    'bash_ack_completions',
    { task_ids: [realId] },
    { session_id: SESSIONS[0] },
  )
  assert.deepEqual(acked.acked_task_ids, [realId])
  const storeBefore = snapshotTree(store.home)
  const canaryBefore = snapshotContents(canary)
  const parentBefore = snapshotTree(path.dirname(store.home)).filter((entry) => !entry.startsWith('store'))

  const kinds = new Map<string, number>()
  const codes = new Map<string, number>()
  let lines = 0
  const started2 = performance.now()
  await scenario.run(async () => {
    await checkProperty(
      fc.array(caseArbitrary(canary, realId), { minLength: BATCH, maxLength: BATCH }),
      async (cases) => {
        const responses = await exchange(
          client,
          cases.map((c) => c.line),
        )
        const expected = cases.filter((c) => c.codes === 'any' || c.codes.size > 0)
        assert.equal(
          responses.length,
          expected.length,
          `one response per non-blank line: ${JSON.stringify(responses.map((r) => r.id))}`,
        )
        expected.forEach((c, i) => {
          checkResponse(c, responses[i])
          kinds.set(c.kind, (kinds.get(c.kind) ?? 0) + 1)
          const code = responses[i]!.success ? 'ok' : responses[i]!.code
          codes.set(code, (codes.get(code) ?? 0) + 1)
        })
        lines += cases.length
      },
      { numRuns: total / BATCH, seed },
    )
    // One line over the 16 MiB limit: refused by the framing, skipped, and the next line still read.
    const [tooLong] = await exchange(client, [Buffer.alloc(16 * 1024 * 1024 + 10, 'a')])
    assert.equal(tooLong?.code, 'invalid_request')
    assert.match(tooLong.message, /over the 16 MiB limit/)
    lines++
    assert.deepEqual(snapshotTree(store.home), storeBefore, 'the store is unchanged')
    assert.deepEqual(snapshotContents(canary), canaryBefore, 'the canary beside the store is unchanged')
    assert.deepEqual(
      snapshotTree(path.dirname(store.home)).filter((entry) => !entry.startsWith('store')),
      parentBefore,
      'nothing new beside the store',
    )
    const rate = Math.round(lines / ((performance.now() - started2) / 1000))
    scenario.figure = `${lines} lines (${rate}/s), ${[...kinds].map(([k, n]) => `${k} ${n}`).join(', ')}; answers ${[...codes].map(([k, n]) => `${k} ${n}`).join(', ')}; store and canary unchanged, seed ${seed}`
  })
})

// Found by this fuzz: a lookup on an object literal answered `constructor` with success and the
// engine settings, and `__proto__` with an internal error (fixed in aa0d811). Kept as a regression test.
test('NDJSON: commands named like Object.prototype members (constructor, toString, __proto__) are unknown commands', async (t) => {
  const scenario = new Scenario(t, 'fuzz ndjson: prototype names as commands')
  const { client } = await startFuzzEngine(t)
  await scenario.run(async () => {
    const answers: string[] = []
    for (const name of PROTOTYPE_NAMES) {
      const response = await client.request(name, undefined, { session_id: SESSIONS[0] })
      answers.push(`${name}→${response.success ? 'success' : response.code}`)
    }
    scenario.figure = answers.join(', ')
    assert.deepEqual(
      answers,
      PROTOTYPE_NAMES.map((name) => `${name}→unknown_command`),
    )
  })
})

// Once a known bug: a rejected request opened (and so created) a session never seen before.
test('NDJSON: a rejected request from a session never seen before leaves the store unchanged', async (t) => {
  const scenario = new Scenario(t, 'fuzz ndjson: rejected request from a new session')
  const { store, client } = await startFuzzEngine(t)
  await scenario.run(async () => {
    const before = snapshotTree(store.home)
    // A malformed id, and a well-formed id of no task: both refused, from two sessions never seen.
    for (const [i, taskId] of ['../x', 'bgb-00000000'].entries()) {
      const rejected = await client.request(
        'bash_status',
        { task_id: taskId },
        { session_id: `never-seen-${i}` },
      )
      assert.equal(rejected.success, false)
      assert.match(rejected.code, /^(invalid_request|task_not_found)$/)
    }
    const added = snapshotTree(store.home).filter((entry) => !before.includes(entry))
    scenario.figure = added.length === 0 ? 'store unchanged' : `store gained ${added.join(', ')}`
    assert.deepEqual(added, [], 'a rejected request created nothing in the store')
  })
})
