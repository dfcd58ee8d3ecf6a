import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { readStartTime } from '../helpers/pids.js'
import { useTestStore } from '../helpers/store.js'

/** A session directory as the previous version wrote it: `sessions/<16 hex of sha256(id)>`. */
function legacySessionDir(home: string, sessionId: string): string {
  const dir = path.join(home, 'sessions', createHash('sha256').update(sessionId).digest('hex').slice(0, 16))
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 })
  fs.writeFileSync(path.join(dir, 'session.json'), JSON.stringify({ session_id: sessionId, created_at: 1 }))
  return dir
}

/** A task directory with the records the previous version wrote (no project, no owner's client). */
function writeLegacyTask(
  dir: string,
  taskId: string,
  fields: { sessionId: string; cwd: string; pid: number; startTime: number; ended: boolean },
): void {
  const taskDir = path.join(dir, taskId)
  fs.mkdirSync(taskDir, { mode: 0o700 })
  const now = Date.now()
  const write = (name: string, value: unknown) =>
    fs.writeFileSync(path.join(taskDir, name), typeof value === 'string' ? value : JSON.stringify(value))
  write('task.json', {
    schema_version: 1,
    task_id: taskId,
    session_id: fields.sessionId,
    command: `echo ${taskId}`,
    shell: '/bin/sh',
    cwd: fields.cwd,
    env: {},
    timeout_ms: 0,
    notify: true,
    stdin: false,
    description: null,
    created_at: now - 1000,
    created_by: 0,
    created_by_start: 0,
  })
  write('pid.json', {
    pid: fields.pid,
    pgid: fields.pid,
    start_time: fields.startTime,
    spawned_by: 0,
    started_at: now - 1000,
  })
  write('output.log', `${taskId}\n`)
  if (!fields.ended) return
  write('exit', '0\ndrained\n')
  write('end.json', {
    status: 'completed',
    exit_code: 0,
    end_reason: 'exit',
    finished_at: now - 500,
    duration_ms: 500,
    output_bytes: 13,
    dropped_bytes: 0,
  })
}

test('a store written by the previous version opens without loss: tasks move to their project, owners keep what they are owed, a running one is found where it is', async (t) => {
  const store = await useTestStore(t)
  const repo = fs.realpathSync(store.scratch)
  fs.mkdirSync(path.join(repo, '.git'))
  // An NDJSON session's directory, with an ended task still owed and a task still running.
  const sleeper = spawn('sleep', ['600'], { stdio: 'ignore', detached: true })
  t.after(() => sleeper.kill('SIGKILL'))
  const sleeperStart = readStartTime(sleeper.pid!)!
  const ndjsonDir = legacySessionDir(store.home, 'harness-1')
  writeLegacyTask(ndjsonDir, 'bgb-11111111', {
    sessionId: 'harness-1',
    cwd: repo,
    pid: 2 ** 22 + 7,
    startTime: 1,
    ended: true,
  })
  writeLegacyTask(ndjsonDir, 'bgb-33333333', {
    sessionId: 'harness-1',
    cwd: repo,
    pid: sleeper.pid!,
    startTime: sleeperStart,
    ended: false,
  })
  // The project's default session of the previous version: already the project's directory.
  const defaultDir = legacySessionDir(store.home, `project:${repo}`)
  writeLegacyTask(defaultDir, 'bgb-22222222', {
    sessionId: `project:${repo}`,
    cwd: repo,
    pid: 2 ** 22 + 8,
    startTime: 1,
    ended: true,
  })

  const tm = await store.open({ sessionId: 'harness-1', projectRoot: repo })
  // The ended task moved into the project's directory; the running one stayed where its relay writes.
  assert.ok(
    fs.existsSync(path.join(defaultDir, 'bgb-11111111', 'end.json')),
    'moved into the project directory',
  )
  assert.ok(fs.existsSync(path.join(ndjsonDir, 'bgb-33333333', 'task.json')), 'the running task stays')
  // Every task is there, by id and in the project's list; the owner's completion is still owed to it.
  assert.deepEqual((await tm.list({ scope: 'project' })).map((r) => r.taskId).sort(), [
    'bgb-11111111',
    'bgb-22222222',
    'bgb-33333333',
  ])
  assert.equal((await tm.status('bgb-33333333')).status, 'running')
  assert.equal((await tm.read('bgb-11111111')).text, 'bgb-11111111\n')
  assert.deepEqual(
    (await tm.takeCompletions()).map((c) => c.taskId),
    ['bgb-11111111'],
    "the NDJSON session's owed completion, and not the default session's",
  )
  // The running one ends (its process dies with no exit code): it is adopted, so it is recorded.
  sleeper.kill('SIGKILL')
  const [lost] = await tm.wait(['bgb-33333333'])
  assert.equal(lost?.status, 'lost')
  // Once nothing of it runs, gc moves it too and the old session directory goes.
  await tm.gc({ dryRun: false, olderThanMs: 365 * 24 * 60 * 60 * 1000 })
  assert.equal(fs.existsSync(ndjsonDir), false)
  assert.equal((await tm.status('bgb-33333333')).status, 'lost')
})
