import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { type Owner, relationOf } from '../../src/engine/ownership.js'
import type { ProcessId } from '../../src/store/records.js'
import { runBinary, runInProcess } from '../helpers/cli.js'
import { snapshotTree, useTestStore } from '../helpers/store.js'
import { pollUntil } from '../helpers/wait.js'

const CLIENT: ProcessId = { pid: 100, startTime: 5 }
const OTHER_CLIENT: ProcessId = { pid: 100, startTime: 6 }
const CREATOR = { createdBy: 200, createdByStart: 7 }

test('relationOf: the one rule of who is owed a completion', () => {
  const server: Owner = { sessionId: 'process:300:8', client: CLIENT }
  const named: Owner = { sessionId: 'agent-1', client: undefined }
  // Whether the task's creator had exited when the asking manager opened.
  const alive = () => false
  const dead = () => true
  const rows: Array<[string, Parameters<typeof relationOf>[0], Owner, () => boolean, string]> = [
    ['same owner id', { sessionId: 'agent-1', client: undefined, ...CREATOR }, named, alive, 'own'],
    [
      'same owner id, creator gone',
      { sessionId: 'agent-1', client: undefined, ...CREATOR },
      named,
      dead,
      'own',
    ],
    ['another named owner', { sessionId: 'agent-2', client: undefined, ...CREATOR }, named, dead, 'other'],
    [
      "a person's task, to a server",
      { sessionId: 'person', client: undefined, ...CREATOR },
      server,
      dead,
      'other',
    ],
    [
      'dead server of the same client',
      { sessionId: 'process:200:7', client: CLIENT, ...CREATOR },
      server,
      dead,
      'inherited',
    ],
    [
      'server of the same client alive when this one opened (a peer, even once it is gone)',
      { sessionId: 'process:200:7', client: CLIENT, ...CREATOR },
      server,
      alive,
      'other',
    ],
    [
      'dead server of another client (pid reused)',
      { sessionId: 'process:200:7', client: OTHER_CLIENT, ...CREATOR },
      server,
      dead,
      'other',
    ],
    [
      'dead server, to a named owner',
      { sessionId: 'process:200:7', client: CLIENT, ...CREATOR },
      named,
      dead,
      'other',
    ],
    [
      'named task with a client, to a server',
      { sessionId: 'agent-1', client: undefined, ...CREATOR },
      server,
      dead,
      'other',
    ],
  ]
  for (const [what, meta, owner, wasGoneAtOpen, expected] of rows) {
    assert.equal(relationOf(meta, owner, wasGoneAtOpen), expected, what)
  }
})

test("waiting on another owner's running task does not count against this owner's running limit", async (t) => {
  const store = await useTestStore(t)
  const theirs = await store.open({ sessionId: 'theirs' })
  const mine = await store.open({ sessionId: 'mine', maxRunning: 1 })
  const task = await theirs.spawn({ command: 'sleep 30' })
  const waiting = mine.wait([task.taskId], { timeoutMs: 60_000 })
  // Nothing of mine runs: the spawn is allowed, and the next one is refused (the limit holds).
  const own = await mine.spawn({ command: 'sleep 30' })
  await assert.rejects(mine.spawn({ command: 'true' }), { code: 'limit_exceeded' })
  await mine.kill(own.taskId)
  await theirs.kill(task.taskId)
  assert.equal((await waiting)[0]?.status, 'killed')
})

test("gc in one project leaves another project's tasks, owed completions included", async (t) => {
  const store = await useTestStore(t)
  const projectB = fs.realpathSync(fs.mkdtempSync(path.join(store.scratch, 'b-')))
  const a = await store.open({ sessionId: 'agent-a' })
  const inA = await a.spawn({ command: 'true' })
  await a.wait([inA.taskId])
  // B's task, owed to an agent whose process (a CLI run) is gone.
  const started = await runBinary(['run', '--session', 'agent-b', '--', 'true'], {
    home: store.home,
    cwd: projectB,
  })
  const inB = started.stdout.trim()
  const reader = await store.open({ projectRoot: projectB, readOnly: true })
  await reader.wait([inB])
  // The person, in project A, collects everything older than nothing.
  const opts = { home: store.home, cwd: store.scratch }
  const gc = await runInProcess(['gc', '--json', '--older-than', '0ms'], opts)
  assert.deepEqual(
    JSON.parse(gc.stdout).removed,
    [],
    "A's completion is owed to a live owner; B is not this project",
  )
  await a.takeCompletions()
  const again = await runInProcess(['gc', '--json', '--older-than', '0ms'], opts)
  assert.deepEqual(JSON.parse(again.stdout).removed, [inA.taskId])
  assert.equal((await reader.status(inB)).delivered, false, "B's completion is still owed")
  // --all reaches every project; B's owner is gone, so its completion is past --older-than.
  const all = await runInProcess(['gc', '--json', '--all', '--older-than', '0ms'], opts)
  assert.deepEqual(JSON.parse(all.stdout).removed, [inB])
})

test('commands that only read create nothing in the store; a session typo creates no directory', async (t) => {
  const store = await useTestStore(t)
  const ws = path.join(store.scratch, 'ws')
  const app = path.join(ws, 'app')
  fs.mkdirSync(path.join(app, '.git'), { recursive: true })
  const opts = { home: store.home, cwd: ws }
  // Before anything exists: ls in the parent directory makes nothing, not even the store root.
  assert.equal((await runInProcess(['ls'], opts)).code, 0)
  assert.equal(fs.existsSync(store.home), false, 'ls on an empty store created it')
  // A task in the repository below, by the person.
  const ran = await runInProcess(['run', '--', 'echo hello; sleep 30 & echo x'], {
    home: store.home,
    cwd: app,
  })
  const id = ran.stdout.trim()
  const reader = await store.open({ projectRoot: fs.realpathSync(app), readOnly: true })
  // The task's own writes first: its end (the command exits; sleep lives on) and its leftover.
  await reader.wait([id])
  await pollUntil(
    () => reader.status(id),
    (record) => (record.leftoverProcesses?.length ?? 0) > 0,
    { what: 'the leftover to be recorded' },
  )
  const before = snapshotTree(store.home, { withContents: true })
  const looks = [
    ['ls'],
    ['ls', '--all'],
    ['ls', '--session', 'typo'],
    ['show', id],
    ['logs', id],
    ['logs', '-n', '1', '--grep', 'hello', id],
    ['gc', '--dry-run'],
    ['gc', '--dry-run', '--older-than', '0ms', '--all'],
    ['kill', '--dry-run', id],
  ]
  for (const args of looks) {
    const result = await runInProcess(args, { home: store.home, cwd: app })
    assert.ok(result.code === 0, `${args.join(' ')} exited ${result.code}: ${result.stderr}`)
  }
  // From the parent directory too: it is not the project, and it sees nothing of it.
  const parentLs = await runInProcess(['ls', '--json'], opts)
  assert.deepEqual(JSON.parse(parentLs.stdout), [])
  assert.deepEqual(snapshotTree(store.home, { withContents: true }), before)
  // The repository's project holds the person's task: an agent's manager there sees it.
  const agent = await store.open({ sessionId: 'agent', projectRoot: fs.realpathSync(app) })
  assert.equal((await agent.status(id)).sessionId, 'person')
  assert.deepEqual(
    (await agent.list({ scope: 'project' })).map((r) => r.taskId),
    [id],
  )
  await agent.kill(id)
})

test('a listener that throws is logged, never crashes the manager, and the task still ends once', async (t) => {
  const store = await useTestStore(t)
  const warnings: string[] = []
  const tm = await store.open({ longRunningMs: 50, logger: { warn: (message) => warnings.push(message) } })
  tm.on('long_running', () => {
    throw new Error('reminder listener bug')
  })
  tm.on('completion', () => {
    throw new Error('completion listener bug')
  })
  let ended = 0
  tm.on('task_ended', () => {
    ended++
  })
  const { taskId } = await tm.spawn({ command: 'sleep 0.3; echo done' })
  const [record] = await tm.wait([taskId])
  assert.equal(record?.status, 'completed')
  await pollUntil(
    () => warnings.join('\n'),
    (text) => text.includes("'completion' listener threw") && text.includes("'long_running' listener threw"),
    { what: 'both listener errors to be logged' },
  )
  assert.equal(ended, 1, 'task_ended once: the throwing completion listener did not make it end again')
})
