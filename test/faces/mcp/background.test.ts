import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { isAlive } from '../../helpers/pids.js'
import { taskDirOf, useTestStore } from '../../helpers/store.js'
import { pollUntil } from '../../helpers/wait.js'
import { McpProcess, mainText, textOf } from './harness.js'

/** A shell loop that holds a task until the test creates `file` (the task's own work, not test sync). */
function gate(file: string): string {
  return `while [ ! -e '${file}' ]; do sleep 0.02; done`
}

test('a command still running after wait_ms moves to the background, and bash_wait reports its end', async (t) => {
  const store = await useTestStore(t)
  const server = await McpProcess.start(t, { home: store.home })
  const go = path.join(store.scratch, 'go')
  const result = await server.call('bash', {
    command: `echo started; ${gate(go)}; echo finished`,
    wait_ms: 1000,
  })
  const out = result.structuredContent!
  assert.equal(out.background, true)
  assert.equal(out.status, 'running')
  assert.equal(out.exit_code, null)
  assert.equal(out.output, 'started')
  assert.match(mainText(result), new RegExp(`keeps running in the background as task ${out.task_id}`))
  assert.match(mainText(result), /bash_wait/)

  fs.writeFileSync(go, '')
  const waited = await server.call('bash_wait', { task_ids: [out.task_id] })
  assert.equal(waited.structuredContent!.reason, 'exit')
  assert.equal(waited.structuredContent!.tasks[0].status, 'completed')
  // Its completion rides on this result, with the output it ended with.
  const [completion] = waited.structuredContent!.completions
  assert.equal(completion.task_id, out.task_id)
  assert.match(completion.output_preview, /finished/)
  assert.match(textOf(waited), new RegExp(`Background task ${out.task_id} finished: completed, exit 0`))
  // The wait says how the task ended once: in the completion block, not also in a line above it.
  assert.equal(textOf(waited).split('completed, exit 0').length - 1, 1, textOf(waited))
  assert.doesNotMatch(mainText(waited), new RegExp(out.task_id))
  // Its completion delivered, a second wait has only its own line to say it.
  const again = await server.call('bash_wait', { task_ids: [out.task_id] })
  assert.equal(again.content.length, 1)
  assert.match(
    mainText(again),
    new RegExp(`^Waited .*: the task ended.\n${out.task_id} completed, exit 0 after `),
  )
})

test('bash_wait returns when a pattern appears, on a failure pattern, and on timeout, with progress notifications', async (t) => {
  const store = await useTestStore(t)
  const server = await McpProcess.start(t, { home: store.home })
  const go = path.join(store.scratch, 'go')
  const started = await server.call('bash', {
    command: `echo booting; ${gate(go)}; echo 'listening on port 4321'; echo 'Error: disk full'; sleep 300`,
    background: true,
  })
  const id = started.structuredContent!.task_id as string
  assert.match(mainText(started), new RegExp(`Started ${id} in the background`))

  const progress: Array<{ progress: number; total?: number }> = []
  const waiting = server.call(
    'bash_wait',
    { task_ids: [id], until: 'listening on port (\\d+)', timeout_ms: 60_000 },
    { onprogress: (p) => progress.push(p as { progress: number }) },
  )
  await pollUntil(
    () => progress.length,
    (n) => n > 0,
    { what: 'the first progress notification' },
  )
  fs.writeFileSync(go, '')
  const matched = await waiting
  assert.equal(matched.structuredContent!.reason, 'match')
  assert.equal(matched.structuredContent!.task_id, id)
  assert.equal(matched.structuredContent!.match.line, 'listening on port 4321')
  assert.equal(matched.structuredContent!.tasks[0].status, 'running')
  assert.match(mainText(matched), /appeared in the output of/)
  assert.equal(progress[0]!.total, 60_000)

  const failed = await server.call('bash_wait', { task_ids: [id], until: 'never printed', fail_on: 'Error:' })
  assert.equal(failed.structuredContent!.reason, 'fail_match')
  assert.match(failed.structuredContent!.match.line, /Error: disk full/)

  const ticks: number[] = []
  const timedOut = await server.call(
    'bash_wait',
    { task_ids: [id], until: 'never printed', timeout_ms: 2500 },
    { onprogress: (p) => ticks.push((p as { progress: number }).progress) },
  )
  assert.equal(timedOut.isError, undefined, 'a timeout is an answer, not an error')
  assert.equal(timedOut.structuredContent!.reason, 'timeout')
  assert.match(mainText(timedOut), /keep running; call bash_wait again/)
  assert.ok(ticks.length >= 2, `progress was sent while waiting (${ticks.length} notifications)`)
  assert.deepEqual(
    ticks,
    [...ticks].sort((a, b) => a - b),
    'progress increases',
  )
})

test('bash_kill ends a task and its whole tree, including a setsid grandchild; dry_run signals nothing', async (t) => {
  const store = await useTestStore(t)
  const server = await McpProcess.start(t, { home: store.home })
  const started = await server.call('bash', {
    command: 'sleep 300 & echo "child $!"; setsid sleep 301 & echo "escaped $!"; wait',
    background: true,
  })
  const id = started.structuredContent!.task_id as string
  await server.call('bash_wait', { task_ids: [id], until: 'escaped \\d+' })
  const output = (await server.call('bash_output', { task_id: id, offset: 0 })).structuredContent!
    .text as string
  const pids = [...output.matchAll(/(?:child|escaped) (\d+)/g)].map((m) => Number(m[1]))
  assert.equal(pids.length, 2)

  // A background job has printed its pid before it has exec'd: wait until both are sleep.
  const dry = await pollUntil(
    () => server.call('bash_kill', { task_ids: [id], dry_run: true }),
    (result) =>
      pids.every((pid) =>
        new RegExp(`^${pid} sleep 30[01]$`, 'm').test(
          result.structuredContent!.results[0].would_signal.join('\n'),
        ),
      ),
    { what: 'both sleeps to have exec’d' },
  )
  assert.equal(dry.structuredContent!.dry_run, true)
  // The dry run names the live tree by pid, the setsid escapee included.
  const wouldSignal = (dry.structuredContent!.results[0].would_signal as string[]).join('\n')
  for (const pid of pids) assert.match(wouldSignal, new RegExp(`^${pid} sleep 30[01]$`, 'm'))
  assert.match(mainText(dry), /Dry run, nothing was signalled/)
  assert.ok(pids.every(isAlive), 'a dry run kills nothing')

  const killed = await server.call('bash_kill', { task_ids: [id], grace_ms: 500 })
  const [result] = killed.structuredContent!.results
  assert.equal(result.ok, true)
  assert.equal(result.task.status, 'killed')
  assert.equal(result.task.killed_by, 'mcp')
  assert.match(mainText(killed), new RegExp(`${id} killed by mcp`))
  assert.deepEqual(killed.structuredContent!.completions, [], 'the kill result itself reports the end')
  await pollUntil(
    () => pids.filter(isAlive),
    (alive) => alive.length === 0,
    { what: 'the tree to die' },
  )

  const again = await server.call('bash_kill', { task_ids: [id] })
  assert.equal(again.structuredContent!.results[0].task.already_finished, true)
})

test('bash_write feeds a task started with stdin and eof closes its input', async (t) => {
  const store = await useTestStore(t)
  const server = await McpProcess.start(t, { home: store.home })
  const started = await server.call('bash', {
    command: 'while read -r line; do echo "got: $line"; done; echo "input closed"',
    stdin: true,
    background: true,
  })
  const id = started.structuredContent!.task_id as string
  const wrote = await server.call('bash_write', { task_id: id, input: 'one\ntwo\n' })
  assert.equal(wrote.structuredContent!.bytes_written, 8)
  const seen = await server.call('bash_wait', { task_ids: [id], until: 'got: two' })
  assert.equal(seen.structuredContent!.reason, 'match')
  const closed = await server.call('bash_write', { task_id: id, eof: true })
  assert.equal(closed.structuredContent!.eof, true)
  const ended = await server.call('bash_wait', { task_ids: [id] })
  assert.equal(ended.structuredContent!.tasks[0].status, 'completed')
  const output = await server.call('bash_output', { task_id: id, offset: 0 })
  assert.equal(output.structuredContent!.text, 'got: one\ngot: two\ninput closed\n')

  const plain = await server.call('bash', { command: 'true' })
  const refused = await server.call('bash_write', { task_id: plain.structuredContent!.task_id, input: 'x' })
  assert.equal(refused.isError, true)
  assert.match(mainText(refused), /stdin: true/)
})

test('a completion rides on the next unrelated tool result exactly once', async (t) => {
  const store = await useTestStore(t)
  const server = await McpProcess.start(t, { home: store.home })
  const started = await server.call('bash', { command: 'echo piggyback; exit 3', background: true })
  const id = started.structuredContent!.task_id as string
  // No tool call may carry it early: watch the store for the task's terminal record instead.
  await pollUntil(
    () => fs.existsSync(path.join(taskDirOf(store.home, id), 'end.json')),
    (ended) => ended,
    { what: `${id} to end` },
  )
  const first = await server.call('bash_list')
  const completions = first.structuredContent!.completions
  assert.equal(completions.length, 1)
  assert.equal(completions[0].task_id, id)
  assert.equal(completions[0].status, 'failed')
  assert.equal(completions[0].exit_code, 3)
  assert.match(completions[0].output_preview, /piggyback/)
  assert.equal(first.content.length, 2, 'an extra text block carries it')
  assert.match(
    first.content[1]!.text!,
    new RegExp(
      `Background task ${id} finished: failed, exit 3, after .*\\n\\$ echo piggyback; exit 3\\npiggyback`,
    ),
  )

  const second = await server.call('bash_list')
  assert.deepEqual(second.structuredContent!.completions, [])
  assert.equal(second.content.length, 1)
  const third = await server.call('bash_output', { task_id: id })
  assert.equal(third.structuredContent!.task.delivered, true)
  assert.deepEqual(third.structuredContent!.completions, [])
})

test('a task still running past the reminder interval is named on a later tool result', async (t) => {
  const store = await useTestStore(t)
  const server = await McpProcess.start(t, { home: store.home, args: ['--long-running-ms', '200'] })
  const started = await server.call('bash', { command: 'sleep 300', background: true, description: 'nap' })
  const id = started.structuredContent!.task_id as string
  // Only a tool result can show the reminder: call a cheap tool until one carries it.
  const result = await pollUntil(
    () => server.call('bash_list', { status: 'active' }),
    (r) => r.structuredContent!.long_running.length > 0,
    { what: 'a long-running reminder', intervalMs: 50 },
  )
  const [notice] = result.structuredContent!.long_running
  assert.equal(notice.task_id, id)
  assert.ok(notice.elapsed_ms >= 200)
  assert.match(result.content[1]!.text!, new RegExp(`Still running: ${id} for .*: sleep 300`))
  await server.call('bash_kill', { task_ids: [id], grace_ms: 0 })
})

test('bash with ready_when returns once the server is ready, and says so when it fails to start', async (t) => {
  const store = await useTestStore(t)
  const server = await McpProcess.start(t, { home: store.home })
  const ready = await server.call('bash', {
    command: `echo booting; sleep 0.1; printf '\\033[1mLocal: http://localhost:5173\\033[0m ready in 88 ms\\n'; exec sleep 30`,
    ready_when: 'ready in \\d+ ms',
  })
  const out = ready.structuredContent!
  assert.equal(out.status, 'running')
  assert.equal(out.background, true)
  assert.equal(out.ready.reason, 'ready')
  assert.equal(out.ready.line, 'Local: http://localhost:5173 ready in 88 ms')
  assert.match(out.output, /booting\nLocal: http:\/\/localhost:5173 ready in 88 ms/)
  // The line it printed is said once, in the output below: the head does not repeat it.
  assert.match(mainText(ready), /^Ready after \d+ ms: bgb-\w+ \(pid \d+\) keeps running in the background\./)
  assert.equal(mainText(ready).split('ready in 88 ms').length - 1, 1, mainText(ready))

  const failed = await server.call('bash', {
    command: 'echo "Error: listen EADDRINUSE: address already in use :::3000"; exec sleep 30',
    ready_when: 'port:1',
    fail_on: 'EADDRINUSE',
  })
  assert.equal(failed.structuredContent!.ready.reason, 'fail_match')
  assert.match(mainText(failed), /shows a failure .*EADDRINUSE/)

  const exited = await server.call('bash', {
    command: 'echo nope; exit 2',
    ready_when: 'http://127.0.0.1:1/',
  })
  assert.equal(exited.structuredContent!.status, 'failed')
  assert.equal(exited.structuredContent!.exit_code, 2)

  for (const args of [
    { command: 'true', ready_when: '' },
    { command: 'true', ready_when: { port: 3000 } },
    { command: 'true', ready_when: 'port:70000' },
    { command: 'true', fail_on: 'x' },
    { command: 'true', ready_when: 'port:3000', background: true },
    { command: 'true', ready_when: '(' },
  ]) {
    const refused = await server.call('bash', args)
    assert.equal(refused.isError, true, JSON.stringify(args))
  }
})

test('bash_output with only a task id continues where this session last read, also after a server restart', async (t) => {
  const store = await useTestStore(t)
  const first = await McpProcess.start(t, { home: store.home })
  const go = path.join(store.scratch, 'go')
  const started = await first.call('bash', { command: `echo one; ${gate(go)}; echo two`, background: true })
  const taskId = started.structuredContent!.task_id
  await first.call('bash_wait', { task_ids: [taskId], until: 'one' })
  assert.equal((await first.call('bash_output', { task_id: taskId })).structuredContent!.text, 'one\n')
  await first.close()
  fs.writeFileSync(go, '')
  const second = await McpProcess.start(t, { home: store.home })
  await second.call('bash_wait', { task_ids: [taskId] })
  const next = await second.call('bash_output', { task_id: taskId })
  assert.equal(next.structuredContent!.text, 'two\n', 'only what is new since the read before the restart')
})
