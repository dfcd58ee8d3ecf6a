import assert from 'node:assert/strict'
import fs from 'node:fs'
import { test } from 'node:test'
import { encode } from 'gpt-tokenizer/encoding/o200k_base'
import { listStoreTaskIds } from '../../helpers/pids.js'
import { useTestStore } from '../../helpers/store.js'
import { McpProcess, mainText, textOf } from './harness.js'

test('tools/list offers the six tools, each described, within 1,200 tokens, with schemas and annotations', async (t) => {
  const store = await useTestStore(t)
  const server = await McpProcess.start(t, { home: store.home })
  assert.match(
    server.client.getNegotiatedProtocolVersion() ?? '',
    /^2025-/,
    'the 2025 handshake, as agents use today',
  )
  const { tools } = await server.client.listTools()
  const names = tools.map((tool) => tool.name).sort()
  assert.deepEqual(names, ['bash', 'bash_kill', 'bash_list', 'bash_output', 'bash_wait', 'bash_write'])
  for (const tool of tools) {
    assert.ok(tool.title, `${tool.name} has a title`)
    assert.ok((tool.description ?? '').length > 20, `${tool.name} says what it does`)
    const properties = (tool.inputSchema.properties ?? {}) as Record<string, { description?: string }>
    for (const [name, schema] of Object.entries(properties)) {
      assert.ok(schema.description, `${tool.name}.${name} is described`)
    }
    const output = tool.outputSchema?.properties as Record<string, unknown> | undefined
    assert.ok(output?.completions && output.long_running, `${tool.name} results carry completions`)
  }
  const byName = new Map(tools.map((tool) => [tool.name, tool]))
  for (const name of ['bash_output', 'bash_list', 'bash_wait']) {
    assert.equal(byName.get(name)?.annotations?.readOnlyHint, true, `${name} is read-only`)
  }
  assert.equal(byName.get('bash_kill')?.annotations?.destructiveHint, true)
  assert.match(byName.get('bash')?.description ?? '', /bash_wait/)
  // What every request to the model carries: the definitions as a client sends them.
  const definitions = tools.map((tool) => ({
    name: `mcp__bgbash__${tool.name}`,
    description: tool.description,
    input_schema: tool.inputSchema,
  }))
  const tokens = encode(JSON.stringify(definitions)).length
  assert.ok(tokens <= 1200, `tool definitions cost ${tokens} o200k tokens (budget 1200)`)
})

test('bash in the foreground returns exit code, status, duration and the output', async (t) => {
  const store = await useTestStore(t)
  const server = await McpProcess.start(t, { home: store.home })
  const result = await server.call('bash', {
    command: "printf 'hello\\n'; printf '\\033[32mgreen\\033[0m\\n'; echo to-stderr >&2",
  })
  assert.equal(result.isError, undefined)
  const out = result.structuredContent!
  assert.equal(out.status, 'completed')
  assert.equal(out.exit_code, 0)
  assert.equal(out.background, false)
  assert.equal(typeof out.duration_ms, 'number')
  assert.match(out.output, /hello\ngreen\nto-stderr/)
  assert.match(mainText(result), /^Completed, exit 0 after .* \(task bgb-[0-9a-f]{8}\)\nhello\ngreen/)
  // This result told how the task ended: no completion notice repeats it, now or later.
  assert.deepEqual(out.completions, [])
  const later = await server.call('bash_list')
  assert.deepEqual(later.structuredContent!.completions, [])
  assert.deepEqual(server.errors, [], 'stdout carried nothing but protocol')
  assert.equal(server.stderr, '', 'nothing to log')
})

test('a failing command is a result with its exit code, not a tool error', async (t) => {
  const store = await useTestStore(t)
  const server = await McpProcess.start(t, { home: store.home })
  const result = await server.call('bash', { command: 'echo "something broke"; exit 7' })
  assert.equal(result.isError, undefined)
  assert.equal(result.structuredContent!.status, 'failed')
  assert.equal(result.structuredContent!.exit_code, 7)
  assert.match(mainText(result), /^Failed, exit 7 after .*\nsomething broke/)
})

test('malformed arguments get tool errors with clear messages, change nothing, and the server keeps serving', async (t) => {
  const store = await useTestStore(t)
  const server = await McpProcess.start(t, { home: store.home })
  const cases: Array<[string, Record<string, unknown>, RegExp]> = [
    ['bash', { command: 42 }, /command must be a string/],
    ['bash', {}, /command must be a string/],
    ['bash', { command: '' }, /command must not be empty/],
    ['bash', { command: 'true', bogus: 1 }, /bogus/],
    ['bash', { command: 'true', wait_ms: -5 }, /wait_ms must be at least 0/],
    ['bash', { command: 'true', env: { PATH: '/tmp' } }, /PATH/],
    ['bash', { command: 'true', cwd: '/no/such/dir' }, /\/no\/such\/dir/],
    ['bash_output', { task_id: '../../etc/passwd' }, /bgb-1a2b3c4d/],
    ['bash_output', { task_id: 'bgb-00000000' }, /not found.*bgb-00000000/i],
    ['bash_wait', { timeout_ms: 0 }, /timeout_ms must be at least 1/],
    ['bash_wait', { task_ids: ['bgb-00000000'], until: '(' }, /Invalid until pattern/],
    ['bash_kill', { task_ids: [] }, /at least one task/],
    ['bash_output', { task_id: 'bgb-00000000', tail_lines: 5, head_lines: 5 }, /cannot be combined/],
    ['bash_write', { task_id: 'bgb-00000000', input: 7 }, /input must be a string/],
  ]
  for (const [tool, args, message] of cases) {
    const result = await server.call(tool, args)
    assert.equal(result.isError, true, `${tool} ${JSON.stringify(args)} is a tool error`)
    assert.match(mainText(result), message, `${tool} ${JSON.stringify(args)}`)
  }
  await assert.rejects(server.call('no_such_tool', {}), /no_such_tool/)
  assert.deepEqual(listStoreTaskIds(store.home), [], 'no rejected request created a task')
  const ok = await server.call('bash', { command: 'echo still serving' })
  assert.match(ok.structuredContent!.output, /still serving/)
})

test('bash_output reads new output since the last read, tail, head, grep with context, and raw bytes', async (t) => {
  const store = await useTestStore(t)
  const server = await McpProcess.start(t, { home: store.home })
  const started = await server.call('bash', {
    command: `seq 1 3; printf '\\033[31mred\\033[0m\\n'; while [ ! -e "${store.scratch}/go" ]; do sleep 0.02; done; seq 4 6`,
    background: true,
  })
  const id = started.structuredContent!.task_id as string
  // The engine matches patterns against the bytes as written, colour codes included: no anchors here.
  const sawRed = await server.call('bash_wait', { task_ids: [id], until: 'red' })
  assert.equal(sawRed.structuredContent!.reason, 'match')
  const first = await server.call('bash_output', { task_id: id })
  assert.equal(first.structuredContent!.mode, 'new')
  assert.equal(first.structuredContent!.text, '1\n2\n3\nred\n')
  const none = await server.call('bash_output', { task_id: id })
  assert.equal(none.structuredContent!.text, '')
  assert.match(mainText(none), /No new output/)
  const raw = await server.call('bash_output', { task_id: id, offset: 0, raw: true })
  assert.ok(raw.structuredContent!.text.includes('\u001b[31mred'), 'raw keeps the colour codes')
  fs.writeFileSync(`${store.scratch}/go`, '')
  await server.call('bash_wait', { task_ids: [id] })
  const rest = await server.call('bash_output', { task_id: id })
  assert.equal(rest.structuredContent!.text, '4\n5\n6\n')
  const tail = await server.call('bash_output', { task_id: id, tail_lines: 2 })
  assert.equal(tail.structuredContent!.text, '5\n6\n')
  const head = await server.call('bash_output', { task_id: id, head_lines: 2 })
  assert.equal(head.structuredContent!.text, '1\n2\n')

  const big = await server.call('bash', { command: 'seq 1 200000' })
  const bigId = big.structuredContent!.task_id as string
  assert.equal(big.structuredContent!.output_truncated, true)
  assert.ok(
    Buffer.byteLength(big.structuredContent!.output) <= 16 * 1024,
    'the foreground view keeps its budget',
  )
  assert.match(
    big.structuredContent!.output,
    /^1\n[\s\S]*not read here: bash_output task_id=bgb-[\s\S]*\n200000$/,
  )
  const grep = await server.call('bash_output', { task_id: bigId, grep: '^1500(00)?$', context_lines: 1 })
  assert.deepEqual(
    grep.structuredContent!.matches.map((m: { line_number: number }) => m.line_number),
    [1500, 150000],
  )
  assert.equal(
    grep.structuredContent!.text,
    '1499-1499\n1500:1500\n1501-1501\n--\n149999-149999\n150000:150000\n150001-150001',
  )
  const limited = await server.call('bash_output', { task_id: bigId, grep: '7$', max_matches: 3 })
  assert.equal(limited.structuredContent!.matches.length, 3)
  assert.equal(limited.structuredContent!.truncated, true)
  assert.match(textOf(limited), /stopped early/)
})

test('bash_list shows the session as a table and bash_output shows one task, its state and its output', async (t) => {
  const store = await useTestStore(t)
  const server = await McpProcess.start(t, { home: store.home })
  const done = await server.call('bash', { command: 'echo listed', description: 'say listed' })
  const id = done.structuredContent!.task_id as string
  // A foreground call answered inline is left out of the default list; asked by status, it is there.
  assert.match(mainText(await server.call('bash_list')), /No tasks in this session/)
  const list = await server.call('bash_list', { status: 'completed' })
  assert.match(
    mainText(list),
    /^1 task in this session:\nID +STATUS +EXIT +TIME +COMMAND\nbgb-[0-9a-f]{8} +completed +0 /,
  )
  assert.equal(list.structuredContent!.tasks[0].task_id, id)
  const status = await server.call('bash_output', { task_id: id, tail_lines: 5 })
  assert.equal(status.structuredContent!.task.status, 'completed')
  assert.equal(status.structuredContent!.task.description, 'say listed')
  assert.match(
    mainText(status),
    new RegExp(`^${id} completed, exit 0 after .*: echo listed\nOutput, tail, .*\nlisted`),
  )
})

test('a client negotiating the 2026-07-28 protocol era gets the same tools, results and progress', async (t) => {
  const store = await useTestStore(t)
  const server = await McpProcess.start(t, { home: store.home, isModern: true })
  assert.match(server.client.getNegotiatedProtocolVersion() ?? '', /^2026-/)
  const { tools } = await server.client.listTools()
  assert.equal(tools.length, 6)
  const ran = await server.call('bash', { command: 'echo legacy; exit 2' })
  assert.equal(ran.structuredContent!.exit_code, 2)
  assert.match(mainText(ran), /^Failed, exit 2 .*\nlegacy/)
  const started = await server.call('bash', { command: 'sleep 300', background: true })
  const progress: unknown[] = []
  const waited = await server.call(
    'bash_wait',
    { task_ids: [started.structuredContent!.task_id], timeout_ms: 1500 },
    { onprogress: (p) => progress.push(p) },
  )
  assert.equal(waited.structuredContent!.reason, 'timeout')
  assert.ok(progress.length >= 1, 'progress notifications reach a modern-era client')
  const killed = await server.call('bash_kill', {
    task_ids: [started.structuredContent!.task_id],
    grace_ms: 0,
  })
  assert.equal(killed.structuredContent!.results[0].task.status, 'killed')
})

test('raw: true gives the bytes as written in bash_output; the default view is cleaned', async (t) => {
  const store = await useTestStore(t)
  const server = await McpProcess.start(t, { home: store.home })
  const command = `printf '\\033[31mred\\033[0m\\nstep 1\\rstep 2\\n'`
  const clean = await server.call('bash', { command })
  assert.equal(clean.structuredContent!.output, 'red\nstep 2')
  const raw = await server.call('bash_output', {
    task_id: clean.structuredContent!.task_id,
    offset: 0,
    raw: true,
  })
  assert.equal(raw.structuredContent!.text, '\x1b[31mred\x1b[0m\nstep 1\rstep 2\n')
})
