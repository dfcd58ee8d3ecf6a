import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { NdjsonClient } from '../../helpers/ndjson-client.js'
import { taskDirOf, useTestStore } from '../../helpers/store.js'

async function startEngine(t: import('node:test').TestContext) {
  const store = await useTestStore(t)
  const client = new NdjsonClient(store.home)
  t.after(() => client.kill())
  return { store, client }
}

test('a full walk through the commands: configure, bash, status, notify, write, kill, drain, ack', async (t) => {
  const { client, store } = await startEngine(t)
  const configured = await client.request('configure', {
    project_root: store.scratch,
    max_background_bash_tasks: 10,
    config: [
      {
        tier: 'user',
        source: 'x',
        doc: '{"bash": {"background": true, "long_running_reminder_interval_ms": 60000}, // c\n "lsp": {}}',
      },
    ],
  })
  assert.equal(configured.success, true)
  assert.equal(configured.project_root, store.scratch)
  assert.deepEqual(configured.config_dropped_keys, ['lsp'])

  // bash answers at once, with or without background.
  const started = await client.request('bash', { command: 'echo hello; pwd; exit 3' }, { session_id: 's1' })
  assert.equal(started.success, true)
  assert.equal(started.status, 'running')
  assert.equal(started.mode, 'pipes')
  assert.match(started.task_id, /^bash-[0-9a-f]{16}$/)
  const completed = await client.waitFor((f) => f.type === 'bash_completed' && f.task_id === started.task_id)
  assert.equal(completed.status, 'failed')
  assert.equal(completed.exit_code, 3)
  assert.equal(completed.session_id, 's1')
  assert.match(completed.output_preview, /hello/)

  // Flat params with `method` naming the command.
  const flat = await client.request('bash', undefined, {
    method: 'bash',
    command: 'echo flat',
    session_id: 's1',
  })
  assert.equal(flat.success, true, JSON.stringify(flat))
  delete (flat as { id?: string }).id

  // Incremental reads by byte offset.
  const status = await client.request(
    'bash_status',
    { task_id: started.task_id, output_offset: 0 },
    { session_id: 's1' },
  )
  assert.equal(status.status, 'failed')
  assert.equal(status.exit_code, 3)
  assert.equal(status.workdir, store.scratch)
  assert.equal(Buffer.from(status.output_chunk_base64, 'base64').toString(), `hello\n${store.scratch}\n`)
  const next = await client.request(
    'bash_status',
    { task_id: started.task_id, output_offset: status.output_next_offset },
    { session_id: 's1' },
  )
  assert.equal(next.output_chunk_base64, '')

  // Watches and stdin.
  const reader = await client.request(
    'bash',
    { command: 'while read -r l; do echo "line: $l"; done', stdin: true },
    { session_id: 's1' },
  )
  const watch = await client.request(
    'bash_notify',
    { task_id: reader.task_id, pattern: 'line: b' },
    { session_id: 's1' },
  )
  assert.match(watch.watch_id, /^watch-\d{8}$/)
  const regexWatch = await client.request(
    'bash_notify',
    { task_id: reader.task_id, regex: 'line: \\w+', once: false },
    { session_id: 's1' },
  )
  const unwatched = await client.request(
    'bash_notify',
    { task_id: reader.task_id, pattern: 'x' },
    { session_id: 's1' },
  )
  assert.deepEqual(
    (
      await client.request(
        'bash_unnotify',
        { task_id: reader.task_id, watch_id: unwatched.watch_id },
        { session_id: 's1' },
      )
    ).unregistered,
    true,
  )
  const written = await client.request(
    'bash_write',
    { task_id: reader.task_id, input: ['a', { key: 'enter' }, 'b\n'] },
    { session_id: 's1' },
  )
  assert.equal(written.bytes_written, 4)
  const match = await client.waitFor((f) => f.type === 'bash_pattern_match' && f.watch_id === watch.watch_id)
  assert.equal(match.match_text, 'line: b')
  assert.equal(match.reason, 'pattern_match')
  assert.equal(match.once, true)
  assert.match(match.context, /line: a\nline: b/)
  // The matches seen (acked), the task ends under a watch still looking: one task_exit frame
  // tells it, in place of its completion (AFT's rule for watched tasks).
  await client.request('bash_ack_completions', { task_ids: [reader.task_id] }, { session_id: 's1' })
  await client.request('bash_write', { task_id: reader.task_id, eof: true }, { session_id: 's1' })
  const exit = await client.waitFor(
    (f) => f.type === 'bash_pattern_match' && f.task_id === reader.task_id && f.reason === 'task_exit',
  )
  assert.equal(exit.match_text, 'exited (exit 0)')
  assert.equal(
    client.pushed('bash_pattern_match').filter((f) => f.watch_id === regexWatch.watch_id).length,
    2,
  )

  // Kill reports 137, a timeout 124, as AFT does.
  const sleeper = await client.request('bash', { command: 'sleep 30 & sleep 30; wait' }, { session_id: 's1' })
  const killed = await client.request('bash_kill', { task_id: sleeper.task_id }, { session_id: 's1' })
  assert.equal(killed.status, 'killed')
  assert.equal(killed.exit_code, 137)
  const slow = await client.request('bash', { command: 'sleep 30', timeout: 100 }, { session_id: 's1' })
  const timedOut = await client.waitFor((f) => f.type === 'bash_completed' && f.task_id === slow.task_id)
  assert.equal(timedOut.status, 'timed_out')
  assert.equal(timedOut.exit_code, 124)

  // Drain is a peek; ack removes; completions ride on bash/kill/status responses until acked.
  const drained = await client.request('bash_drain_completions', undefined, { session_id: 's1' })
  const owed = drained.bg_completions.map((c: { task_id: string }) => c.task_id).sort()
  assert.equal(owed.length, 4)
  assert.ok(!owed.includes(reader.task_id), 'the watched task owes no completion')
  assert.equal(
    (await client.request('bash_drain_completions', undefined, { session_id: 's1' })).bg_completions.length,
    4,
  )
  const statusAll = await client.request('status', undefined, { session_id: 's1' })
  assert.equal(statusAll.bg_completions.length, 4)
  assert.equal(statusAll.engine, 'bgbash')
  const acked = await client.request('bash_ack_completions', { task_ids: owed }, { session_id: 's1' })
  assert.deepEqual(acked.acked_task_ids.sort(), owed)
  assert.deepEqual(
    (await client.request('bash_drain_completions', undefined, { session_id: 's1' })).bg_completions,
    [],
  )

  // Promote: a silent task that ended is queued and pushed again.
  const silent = await client.request(
    'bash',
    { command: 'echo quiet', notify_on_completion: false },
    { session_id: 's1' },
  )
  const promoted = await pollStatus(client, silent.task_id)
  assert.equal(promoted.status, 'completed')
  assert.equal(
    (await client.request('bash_promote', { task_id: silent.task_id }, { session_id: 's1' })).promoted,
    true,
  )
  const pushedAgain = await client.waitFor((f) => f.type === 'bash_completed' && f.task_id === silent.task_id)
  assert.match(pushedAgain.output_preview, /quiet/)
  // Each task's frame came once (promote is the one explicit re-push).
  const ids = client.pushed('bash_completed').map((f) => f.task_id)
  assert.equal(new Set(ids).size, ids.length)
})

async function pollStatus(client: NdjsonClient, taskId: string): Promise<Record<string, any>> {
  for (let i = 0; i < 500; i++) {
    const status = await client.request('bash_status', { task_id: taskId }, { session_id: 's1' })
    if (status.status !== 'running') return status
  }
  throw new Error(`${taskId} still running`)
}

test('every error code comes back as a clear error response and the engine keeps serving', async (t) => {
  const { client } = await startEngine(t)
  const expectError = async (promise: Promise<Record<string, any>>, code: string, message?: RegExp) => {
    const frame = await promise
    assert.equal(frame.success, false, JSON.stringify(frame))
    assert.equal(frame.code, code, JSON.stringify(frame))
    if (message) assert.match(frame.message, message)
  }
  await expectError(client.request('bash_status', {}), 'invalid_request', /bash_status: missing task_id/)
  await expectError(
    client.request('bash_status', { task_id: '../etc' }),
    'invalid_request',
    /Invalid task id/,
  )
  await expectError(client.request('bash_status', { task_id: 'bgb-00000000' }), 'task_not_found')
  await expectError(client.request('frobnicate'), 'unknown_command')
  await expectError(
    client.request('bash', { command: 'true', env: { LD_PRELOAD: 'x.so' } }),
    'blocked_env_var',
    /LD_PRELOAD/,
  )
  await expectError(
    client.request('bash', { command: 'true', wait: true, background: true }),
    'invalid_request',
    /wait:true cannot be used with background:true/,
  )
  await expectError(
    client.request('bash', { command: 42 }),
    'invalid_request',
    /bash: command must be a string/,
  )
  await expectError(client.request('bash', { command: 'true', timeout: -1 }), 'invalid_request')
  await expectError(client.request('bash', { command: 'true', workdir: '/nonexistent' }), 'cwd_not_found')
  await expectError(
    client.request('bash_notify', { task_id: 'bgb-00000000' }),
    'invalid_request',
    /missing pattern or regex/,
  )
  await expectError(client.request('bash_ack_completions', { task_ids: 'nope' }), 'invalid_request')
  await client.request('configure', { max_background_bash_tasks: 1 })
  const first = await client.request('bash', { command: 'sleep 30' })
  const over = await client.request('bash', { command: 'sleep 31' })
  await expectError(Promise.resolve(over), 'background_task_limit_exceeded', new RegExp(first.task_id))
  for (let i = 0; i < 8; i++)
    await client.request('bash_notify', { task_id: first.task_id, pattern: `p${i}` })
  await expectError(
    client.request('bash_notify', { task_id: first.task_id, pattern: 'p9' }),
    'too_many_watches',
  )
  await expectError(client.request('bash_write', { task_id: first.task_id, input: 'x' }), 'task_not_pty')

  // Framing errors, with the id when one can be read.
  client.sendRaw('{"id":"broken", "command": \n')
  assert.equal((await client.waitFor((f) => f.id === 'broken')).code, 'invalid_request')
  client.sendRaw('[1,2,3]\n"text"\nnull\n{"command":"status"}\n{"id":"no-command"}\r\n')
  assert.equal((await client.waitFor((f) => f.id === 'no-command')).code, 'invalid_request')
  const long = Buffer.alloc(17 * 1024 * 1024, 'a')
  client.sendRaw(
    Buffer.concat([Buffer.from('{"id":"long","command":"status","pad":"'), long, Buffer.from('"}\n')]),
  )
  const tooLong = await client.waitFor((f) => f.success === false && /16 MiB/.test(f.message ?? ''))
  assert.equal(tooLong.code, 'invalid_request')
  // Still serving.
  const status = await client.request('status')
  assert.equal(status.success, true)
  assert.equal(client.frames.filter((f) => f.success === false && f.id === null).length >= 4, true)
})

test('on stdin EOF the engine exits cleanly and leaves tasks running', async (t) => {
  const store = await useTestStore(t)
  const client = new NdjsonClient(store.home)
  const { task_id } = await client.request('bash', { command: 'sleep 30' })
  await client.close()
  assert.equal(await client.exited, 0)
  const tm = await store.open({ sessionId: '__default__' })
  assert.equal((await tm.status(task_id)).status, 'running')
})

test('bash_long_running frames come at the interval set through configure', async (t) => {
  const { client } = await startEngine(t)
  await client.request('configure', {
    config: [
      { tier: 'project', source: 'aft.jsonc', doc: '{"bash": {"long_running_reminder_interval_ms": 50}}' },
    ],
  })
  const { task_id } = await client.request('bash', { command: 'sleep 30' }, { session_id: 'lr' })
  const first = await client.waitFor((f) => f.type === 'bash_long_running' && f.task_id === task_id)
  const second = await client.waitFor(
    (f) => f.type === 'bash_long_running' && f.task_id === task_id && f.elapsed_ms > first.elapsed_ms,
  )
  assert.equal(first.session_id, 'lr')
  assert.equal(first.command, 'sleep 30')
  assert.ok(first.elapsed_ms >= 50)
  assert.ok(second.elapsed_ms >= 100)
  await client.request('bash_kill', { task_id }, { session_id: 'lr' })
})

test('bash with ready_when (bgbash extension) answers once the task is ready, or says why not', async (t) => {
  const { client } = await startEngine(t)
  const ready = await client.request(
    'bash',
    {
      command: 'echo boot; sleep 0.1; echo "Listening on :8080"; exec sleep 30',
      ready_when: { pattern: 'Listening on' },
    },
    { session_id: 'r1' },
  )
  assert.equal(ready.success, true)
  assert.equal(ready.status, 'running')
  assert.equal(ready.ready.reason, 'ready')
  assert.equal(ready.ready.line, 'Listening on :8080')
  const slow = await client.request(
    'bash',
    { command: 'exec sleep 30', ready_when: { port: 1 }, ready_timeout_ms: 200 },
    { session_id: 'r1' },
  )
  assert.equal(slow.ready.reason, 'timeout')
  assert.equal(slow.status, 'running')
  const refused = await client.request(
    'bash',
    { command: 'true', ready_when: { port: 1 }, wait: true },
    { session_id: 'r1' },
  )
  assert.equal(refused.success, false)
  assert.equal(refused.code, 'invalid_request')
  const bad = await client.request(
    'bash',
    { command: 'true', ready_when: { pattern: '(' } },
    { session_id: 'r1' },
  )
  assert.equal(bad.success, false)
  assert.match(bad.message, /ready_when.pattern/)
})

test('bash_status output chunks are the bytes as written, invalid UTF-8 included, and offsets count those bytes', async (t) => {
  const { client, store } = await startEngine(t)
  const started = await client.request(
    'bash',
    { command: "printf '\\377\\376ab\\nREADY\\n\\342\\202\\254\\377x\\360\\237'" },
    { session_id: 'b1' },
  )
  await client.waitFor((f) => f.type === 'bash_completed' && f.task_id === started.task_id)
  const log = fs.readFileSync(path.join(taskDirOf(store.home, started.task_id), 'output.log'))
  for (const from of [0, 1, log.indexOf('READY'), log.length - 1]) {
    const status = await client.request(
      'bash_status',
      { task_id: started.task_id, output_offset: from },
      { session_id: 'b1' },
    )
    assert.deepEqual(Buffer.from(status.output_chunk_base64, 'base64'), log.subarray(from), `from ${from}`)
    assert.equal(status.output_next_offset, log.length)
  }
  const watch = await client.request(
    'bash_notify',
    { task_id: started.task_id, pattern: 'READY' },
    { session_id: 'b1' },
  )
  const match = await client.waitFor((f) => f.type === 'bash_pattern_match' && f.watch_id === watch.watch_id)
  assert.equal(match.match_offset, log.indexOf('READY'))
})
