import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { LineSplitter, salvageId } from '../../../src/faces/ndjson/framing.js'
import { parseRequest } from '../../../src/faces/ndjson/protocol.js'
import { NdjsonClient } from '../../helpers/ndjson-client.js'
import { snapshotTree, useTestStore } from '../../helpers/store.js'

test('framing: any chunking of a stream yields the same lines', () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.string({ unit: 'grapheme', maxLength: 40 }).filter((line) => !line.includes('\n')),
        { maxLength: 20 },
      ),
      fc.array(fc.integer({ min: 1, max: 17 }), { minLength: 1, maxLength: 10 }),
      fc.boolean(),
      (lines, cuts, crlf) => {
        const data = Buffer.from(lines.map((line) => `${line}${crlf ? '\r\n' : '\n'}`).join(''))
        const splitter = new LineSplitter()
        const got: string[] = []
        let at = 0
        let i = 0
        while (at < data.length) {
          const size = cuts[i++ % cuts.length]!
          for (const event of splitter.push(data.subarray(at, at + size)))
            if (event.kind === 'line') got.push(event.text)
          at += size
        }
        for (const event of splitter.end()) if (event.kind === 'line') got.push(event.text)
        assert.deepEqual(
          got,
          lines.map((line) => (crlf ? line : line.replace(/\r$/, ''))),
        )
      },
    ),
    { numRuns: 2000 },
  )
})

test('framing: a line over the limit is reported once and the next line still arrives', () => {
  fc.assert(
    fc.property(fc.integer({ min: 11, max: 200 }), fc.integer({ min: 1, max: 13 }), (longSize, chunk) => {
      const splitter = new LineSplitter(10)
      const data = Buffer.from(`${'x'.repeat(longSize)}\nok\n`)
      const events = []
      for (let at = 0; at < data.length; at += chunk)
        events.push(...splitter.push(data.subarray(at, at + chunk)))
      assert.equal(events.filter((e) => e.kind === 'too_long').length, 1)
      assert.deepEqual(
        events.filter((e) => e.kind === 'line').map((e) => (e as { text: string }).text),
        ['ok'],
      )
    }),
    { numRuns: 1000 },
  )
})

test('envelope parsing never throws anything but a clear invalid_request', () => {
  fc.assert(
    fc.property(fc.jsonValue(), (value) => {
      try {
        parseRequest(value)
      } catch (error) {
        assert.equal((error as { code?: string }).code, 'invalid_request')
        assert.match((error as Error).message, /^Invalid request: /)
      }
      salvageId(JSON.stringify(value))
    }),
    { numRuns: 3000 },
  )
})

const COMMANDS = [
  'bash',
  'bash_status',
  'bash_kill',
  'bash_promote',
  'bash_notify',
  'bash_unnotify',
  'bash_write',
  'bash_ack_completions',
  'configure',
]

test('fuzzed params for every handler: clear errors, no crash, the store unchanged', async (t) => {
  const store = await useTestStore(t)
  const client = new NdjsonClient(store.home)
  t.after(() => client.kill())
  const warm = await client.request('status', undefined, { session_id: 'fuzz' })
  assert.equal(warm.success, true)
  const before = snapshotTree(store.home)
  const idLike = fc.oneof(
    fc.constantFrom('bgb-00000000', '../x', 'bgb-zz', '', 'bgb-ffffffff/../..', 'BGB-00000000'),
    fc.string({ maxLength: 20 }),
    fc.jsonValue(),
  )
  // Requests that must be rejected: ids that name no task, commands of the wrong type.
  const params = fc.record(
    {
      task_id: idLike,
      task_ids: fc.oneof(fc.array(idLike, { maxLength: 3 }), fc.jsonValue()),
      command: fc.oneof(fc.integer(), fc.constant(''), fc.constant(null), fc.array(fc.string())),
      pattern: fc.jsonValue(),
      regex: fc.oneof(fc.constantFrom('(', '[a-', '*'), fc.jsonValue()),
      watch_id: fc.jsonValue(),
      input: fc.jsonValue(),
      timeout: fc.jsonValue(),
      env: fc.jsonValue(),
      max_background_bash_tasks: fc.oneof(fc.integer({ max: 0 }), fc.string()),
      config: fc.oneof(fc.string(), fc.integer(), fc.constant([{ doc: '{not json' }])),
      output_offset: fc.oneof(fc.integer({ max: -1 }), fc.string()),
    },
    { requiredKeys: [] },
  )
  let responses = 0
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...COMMANDS), params, fc.boolean(), async (command, body, nested) => {
      const frame = nested
        ? await client.request(command, body, { session_id: 'fuzz' })
        : await client.request(command, undefined, {
            session_id: 'fuzz',
            ...body,
            command: undefined,
            method: command,
          })
      responses++
      assert.equal(typeof frame.success, 'boolean')
      if (command === 'configure' || command === 'bash_unnotify' || command === 'bash_ack_completions') {
        // These may succeed on odd input (an ack of nothing, unknown watch ids): never a crash.
        if (frame.success === false) assert.equal(typeof frame.message, 'string')
        return
      }
      assert.equal(frame.success, false, `${command} ${JSON.stringify(body)} → ${JSON.stringify(frame)}`)
      assert.match(frame.code, /^[a-z_]+$/)
      assert.ok(frame.message.length > 5)
    }),
    { numRuns: 3000 },
  )
  assert.equal(responses, 3000)
  assert.equal((await client.request('status', undefined, { session_id: 'fuzz' })).success, true)
  assert.deepEqual(snapshotTree(store.home), before)
})
