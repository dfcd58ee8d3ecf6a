import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { runInProcess } from '../../helpers/cli.js'
import { isAlive } from '../../helpers/pids.js'
import { type TestStore, useTestStore, waitEndRecorded } from '../../helpers/store.js'
import { pollUntil } from '../../helpers/wait.js'
import { McpProcess, type ToolResult, textOf } from './harness.js'

/** A repository (a `.git` directory is enough to make it a project) inside the test's scratch. */
function makeRepo(scratch: string, name = 'repo'): string {
  const repo = path.join(scratch, name)
  fs.mkdirSync(path.join(repo, '.git'), { recursive: true })
  return fs.realpathSync(repo)
}

/** A shell loop that holds a task until the test creates `file` (the task's own work, not test sync). */
function gate(file: string): string {
  return `while [ ! -e '${file}' ]; do sleep 0.02; done`
}

function completionIds(result: ToolResult): string[] {
  return (result.structuredContent?.completions ?? []).map((c: { task_id: string }) => c.task_id)
}

/**
 * Waits for a task to end through a read-only manager of the project: a tool call would carry
 * completions itself, and which result carries one is what these tests look at.
 */
async function waitEnded(store: TestStore, repo: string, taskId: string): Promise<void> {
  const tm = await store.open({ projectRoot: repo, readOnly: true })
  await tm.wait([taskId])
  await tm.close()
}

test('two MCP servers in one repository: only the one that started a task is told of its end; the other sees it by id', async (t) => {
  const store = await useTestStore(t)
  const repo = makeRepo(store.scratch)
  const a = await McpProcess.start(t, { home: store.home, session: null, cwd: repo })
  const b = await McpProcess.start(t, { home: store.home, session: null, cwd: path.join(repo) })
  const go = path.join(store.scratch, 'go')
  const started = await a.call('bash', { command: `${gate(go)}; echo from-a`, background: true })
  const id = started.structuredContent!.task_id as string
  // B sees A's task by id, without all_sessions, and in the project listing, not in its own.
  assert.equal((await b.call('bash_output', { task_id: id })).structuredContent!.task.status, 'running')
  assert.doesNotMatch(textOf(await b.call('bash_list')), new RegExp(id))
  assert.match(textOf(await b.call('bash_list', { all_sessions: true })), new RegExp(id))
  fs.writeFileSync(go, '')
  await waitEnded(store, repo, id)
  // B's results never carry A's completion.
  for (let i = 0; i < 3; i++) assert.deepEqual(completionIds(await b.call('bash_list')), [])
  // A's next result does, once.
  const first = await a.call('bash_list')
  assert.deepEqual(completionIds(first), [id])
  assert.match(textOf(first), /from-a/)
  assert.deepEqual(completionIds(await a.call('bash_list')), [])
})

test('a restarted server inherits what its dead predecessor was owed, exactly once and labelled; a live server of another client gets nothing', async (t) => {
  const store = await useTestStore(t)
  const repo = makeRepo(store.scratch)
  const go = path.join(store.scratch, 'go')
  const first = await McpProcess.start(t, { home: store.home, session: null, cwd: repo })
  const started = await first.call('bash', { command: `${gate(go)}; echo survived`, background: true })
  const id = started.structuredContent!.task_id as string
  const ended = await first.call('bash', { command: 'echo quick', background: true })
  const quickId = ended.structuredContent!.task_id as string
  await waitEnded(store, repo, quickId)
  await first.kill()

  // Another conversation: a server whose client process is a different one.
  const other = await McpProcess.start(t, {
    home: store.home,
    session: null,
    cwd: repo,
    viaOtherClient: true,
  })
  // The same conversation restarting its server: the same client process (this test).
  const restarted = await McpProcess.start(t, { home: store.home, session: null, cwd: repo })
  fs.writeFileSync(go, '')
  // Both servers watch the task and either may record its end: the restarted one's own wait ends
  // once it has seen it, so its result carries the completions whoever recorded the end.
  const result = await restarted.call('bash_wait', { task_ids: [id] })
  assert.deepEqual(completionIds(await other.call('bash_list')), [])
  assert.deepEqual(completionIds(result).sort(), [id, quickId].sort())
  for (const completion of result.structuredContent!.completions) assert.equal(completion.inherited, true)
  assert.match(
    textOf(result),
    new RegExp(`Background task ${id} \\(started before this server restarted\\) finished`),
  )
  // Exactly once: neither server sees them again, and the other conversation never did.
  assert.deepEqual(completionIds(await restarted.call('bash_list')), [])
  assert.deepEqual(completionIds(await other.call('bash_list')), [])
  // The tasks stay visible to the other conversation in the project's listing.
  assert.match(textOf(await other.call('bash_list', { all_sessions: true })), new RegExp(id))
  // The inherited tasks count as the restarted server's own in its listing.
  assert.match(textOf(await restarted.call('bash_list')), new RegExp(id))
})

test('a server that ran beside a dead one of the same client never takes its tasks; the one that replaces it does', async (t) => {
  const store = await useTestStore(t)
  const repo = makeRepo(store.scratch)
  const go = path.join(store.scratch, 'go')
  // One client process (this test) runs two servers, as a harness with two windows might.
  const first = await McpProcess.start(t, { home: store.home, session: null, cwd: repo })
  const beside = await McpProcess.start(t, { home: store.home, session: null, cwd: repo })
  // A server answers `initialize` before it opens the store; its first result comes after.
  assert.deepEqual(completionIds(await beside.call('bash_list')), [])
  const started = await first.call('bash', { command: `${gate(go)}; echo late`, background: true })
  const id = started.structuredContent!.task_id as string
  const quick = await first.call('bash', { command: 'echo early', background: true })
  const quickId = quick.structuredContent!.task_id as string
  await waitEnded(store, repo, quickId)
  await first.kill()
  // The peer's results carry nothing of the dead server's, before or after its task ends.
  assert.deepEqual(completionIds(await beside.call('bash_list')), [])
  fs.writeFileSync(go, '')
  await waitEnded(store, repo, id)
  assert.deepEqual(completionIds(await beside.call('bash_list')), [])
  // The server started after it died is its successor, and is told of both.
  const restarted = await McpProcess.start(t, { home: store.home, session: null, cwd: repo })
  assert.deepEqual(completionIds(await restarted.call('bash_list')).sort(), [id, quickId].sort())
  assert.deepEqual(completionIds(await beside.call('bash_list')), [])
})

test("a person's CLI task is visible to the agent by id and in project lists, and never owed to it", async (t) => {
  const store = await useTestStore(t)
  const repo = makeRepo(store.scratch)
  const sub = path.join(repo, 'src')
  fs.mkdirSync(sub)
  const server = await McpProcess.start(t, { home: store.home, session: null, cwd: repo })
  // The person, in a subdirectory of the same repository.
  const ran = await runInProcess(['run', '--wait', '--', 'echo by-hand'], { home: store.home, cwd: sub })
  assert.equal(ran.code, 0)
  const background = await runInProcess(['run', '--', 'echo by-hand-too'], { home: store.home, cwd: sub })
  const id = background.stdout.trim()
  await waitEnded(store, repo, id)
  assert.equal(
    (await server.call('bash_output', { task_id: id })).structuredContent!.task.session_id,
    'person',
  )
  assert.match(textOf(await server.call('bash_list', { all_sessions: true })), new RegExp(id))
  for (let i = 0; i < 2; i++) assert.deepEqual(completionIds(await server.call('bash_list')), [])
  // The person sees the agent's tasks: bgbash ls lists the whole project.
  const agentTask = await server.call('bash', { command: 'echo agent', background: true })
  const ls = await runInProcess(['ls', '--json'], { home: store.home, cwd: sub })
  const listed = JSON.parse(ls.stdout).map((r: { task_id: string }) => r.task_id)
  assert.ok(listed.includes(agentTask.structuredContent!.task_id), 'ls shows the agent task')
  assert.ok(listed.includes(id), 'ls shows the person task')
  // The agent's own completion is still its own: the person's ls took nothing.
  await waitEnded(store, repo, agentTask.structuredContent!.task_id)
  assert.deepEqual(completionIds(await server.call('bash_list')), [agentTask.structuredContent!.task_id])
})

test('bash_output names what a finished command left running, and bash_kill stops it instead of refusing', async (t) => {
  const store = await useTestStore(t)
  const repo = makeRepo(store.scratch)
  const server = await McpProcess.start(t, { home: store.home, session: null, cwd: repo })
  const started = await server.call('bash', {
    command: 'sleep 604 >/dev/null 2>&1 & echo up',
    wait_ms: 10_000,
  })
  const id = started.structuredContent!.task_id as string
  assert.equal(started.structuredContent!.status, 'completed')
  const reader = await store.open({ projectRoot: repo, readOnly: true })
  const record = await pollUntil(
    () => reader.status(id),
    (r) => (r.leftoverProcesses?.length ?? 0) > 0,
    { what: 'the leftover on the record' },
  )
  const pid = record.leftoverProcesses![0]!.pid
  const status = await server.call('bash_output', { task_id: id })
  assert.match(textOf(status), new RegExp(`${pid} sleep 604`))
  const killed = await server.call('bash_kill', { task_ids: [id] })
  assert.equal(killed.isError, undefined)
  assert.match(textOf(killed), /had already ended; killed 1 process it left running/)
  assert.equal(killed.structuredContent!.results[0].task.status, 'completed')
  await pollUntil(
    () => isAlive(pid),
    (alive) => !alive,
    { what: 'the leftover to die' },
  )
})

test('a foreground call answered inline is delivered at once, left out of default lists, and kept an hour', async (t) => {
  const store = await useTestStore(t)
  const repo = makeRepo(store.scratch)
  const server = await McpProcess.start(t, { home: store.home, session: null, cwd: repo })
  const answered = await server.call('bash', { command: 'echo inline', wait_ms: 10_000 })
  const id = answered.structuredContent!.task_id as string
  assert.equal(answered.structuredContent!.status, 'completed')
  const background = await server.call('bash', { command: 'echo later', background: true })
  const laterId = background.structuredContent!.task_id as string
  // The server records the end itself: its owed completion is then on the next result.
  await waitEndRecorded(store.home, laterId)
  const list = await server.call('bash_list')
  assert.doesNotMatch(textOf(list), new RegExp(id), 'not in the default list')
  assert.match(textOf(list), new RegExp(laterId))
  assert.deepEqual(completionIds(list), [laterId], 'no completion for what the answer already showed')
  assert.match(textOf(await server.call('bash_list', { status: 'completed' })), new RegExp(id))
  const tm = await store.open({ projectRoot: repo })
  const record = await tm.status(id)
  assert.equal(record.answeredInline, true)
  assert.equal(record.delivered, true)
  // Kept an hour, not a day: gc an hour and a minute later removes it and keeps the other.
  const later = Date.now() + 61 * 60 * 1000
  assert.deepEqual((await tm.gc({ now: later })).removed, [id])
})
