import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { parseDuration } from '../../src/cli/duration.js'
import { stripAnsi, type TaskRecord } from '../../src/index.js'
import { runInProcess } from '../helpers/cli.js'
import { readPidRecord, taskDirOf, useTestStore } from '../helpers/store.js'
import { pollUntil } from '../helpers/wait.js'

const SESSION = { BGBASH_SESSION: 'test-session' }

test('durations accept ms, s, m, h and refuse anything without a unit', () => {
  assert.equal(parseDuration('500ms', '--x'), 500)
  assert.equal(parseDuration('30s', '--x'), 30_000)
  assert.equal(parseDuration('1.5m', '--x'), 90_000)
  assert.equal(parseDuration('2h', '--x'), 7_200_000)
  for (const bad of ['5', '5x', '-1s', 's', ''])
    assert.throws(() => parseDuration(bad, '--timeout'), /Invalid --timeout/)
})

test('usage errors exit 2 with one line on stderr and change nothing', async (t) => {
  const store = await useTestStore(t)
  const cases = [
    ['ls', '--bogus'],
    ['run', '--timeout', '5x', '--', 'true'],
    ['run', '--env', 'NOEQUALS', '--', 'true'],
    ['run', '--env', 'PATH=/x', '--', 'true'],
    ['logs', '../etc/passwd'],
    ['logs', 'bgb-zz'],
    ['ls', '--status', 'sleeping'],
    ['wait', 'bgb-00000000', '--until', '('],
    ['run'],
  ]
  for (const args of cases) {
    const run = await runInProcess(args, { home: store.home, cwd: store.scratch, env: SESSION })
    assert.equal(run.code, 2, `${args.join(' ')} → ${run.code} ${run.stderr}`)
    assert.equal(run.stdout, '', args.join(' '))
    assert.equal(run.stderr.trimEnd().split('\n').length, 1, `one line for ${args.join(' ')}: ${run.stderr}`)
    assert.match(run.stderr, /^bgbash: /)
  }
  // No task was created by any of them.
  const tm = await store.open()
  assert.deepEqual(await tm.list({ allSessions: true }), [])
})

test('--help shows examples, --version the version', async (t) => {
  const store = await useTestStore(t)
  const help = await runInProcess(['--help'], { home: store.home, cwd: store.scratch })
  assert.equal(help.code, 0)
  assert.match(help.stdout, /Examples:/)
  assert.match(help.stdout, /bgbash run -- npm run dev/)
  const version = await runInProcess(['--version'], { home: store.home, cwd: store.scratch })
  assert.equal(version.code, 0)
  assert.match(version.stdout, /^\d+\.\d+\.\d+\n$/)
})

test('ls: a plain table off a terminal, colours and a cut command on one, one JSON document with --json', async (t) => {
  const store = await useTestStore(t)
  const tm = await store.open()
  const ok = await tm.spawn({ command: 'echo ok' })
  const bad = await tm.spawn({ command: 'exit 3' })
  const long = await tm.spawn({ command: `echo up; sleep 30; echo ${'x'.repeat(200)}` })
  await tm.wait([ok.taskId, bad.taskId])
  await tm.waitFor([long.taskId], { until: /up/ })

  const plain = await runInProcess(['ls'], { home: store.home, cwd: store.scratch, env: SESSION })
  assert.equal(plain.code, 0)
  assert.equal(plain.stdout, stripAnsi(plain.stdout), 'no escape codes off a terminal')
  const lines = plain.stdout.trimEnd().split('\n')
  assert.match(lines[0] ?? '', /^ID\s+STATUS\s+TIME\s+EXIT\s+CPU\s+MEM\s+COMMAND$/)
  const row = (id: string) => lines.find((line) => line.startsWith(id)) ?? ''
  assert.match(row(ok.taskId), /completed\s+\S+\s+0\s/)
  assert.match(row(bad.taskId), /failed\s+\S+\s+3\s/)
  assert.match(row(long.taskId), /running\s+\S+ ago\s+-\s+\d+\.\d%\s+\d/, 'CPU and memory of a running tree')
  assert.ok(row(long.taskId).endsWith('x'.repeat(200)), 'not cut when not a terminal')

  const tty = await runInProcess(['ls'], {
    home: store.home,
    cwd: store.scratch,
    env: SESSION,
    tty: { columns: 80 },
  })
  assert.notEqual(tty.stdout, stripAnsi(tty.stdout), 'colours on a terminal')
  for (const line of stripAnsi(tty.stdout).trimEnd().split('\n'))
    assert.ok(line.length <= 80, `fits 80 columns: ${line}`)
  assert.match(stripAnsi(tty.stdout), /echo up; sleep 30; echo x+…/)

  const noColor = await runInProcess(['ls'], {
    home: store.home,
    cwd: store.scratch,
    env: { ...SESSION, NO_COLOR: '1' },
    tty: { columns: 80 },
  })
  assert.equal(noColor.stdout, stripAnsi(noColor.stdout), 'NO_COLOR honoured')

  const json = await runInProcess(['ls', '--json', '--status', 'completed,failed'], {
    home: store.home,
    cwd: store.scratch,
    env: SESSION,
  })
  const records = JSON.parse(json.stdout) as Array<Record<string, unknown>>
  assert.deepEqual(records.map((record) => record.task_id).sort(), [ok.taskId, bad.taskId].sort())
  assert.equal(records.find((record) => record.task_id === bad.taskId)?.exit_code, 3)

  const running = JSON.parse(
    (
      await runInProcess(['ls', '--json', '--status', 'running'], {
        home: store.home,
        cwd: store.scratch,
        env: SESSION,
      })
    ).stdout,
  ) as Array<{ usage?: { processes: number; memory_bytes: number } }>
  assert.ok((running[0]?.usage?.processes ?? 0) >= 2, 'shell and sleep counted')
  assert.ok((running[0]?.usage?.memory_bytes ?? 0) > 0)
})

test('ls with a session (--session or $BGBASH_SESSION) shows only that owner’s tasks; --all every project’s, with a session column', async (t) => {
  const store = await useTestStore(t)
  const mine = await (await store.open()).spawn({ command: 'true' })
  const theirs = await (await store.open({ sessionId: 'project:/elsewhere/other-app' })).spawn({
    command: 'true',
  })
  const own = await runInProcess(['ls'], { home: store.home, cwd: store.scratch, env: SESSION })
  assert.match(own.stdout, new RegExp(mine.taskId))
  assert.doesNotMatch(own.stdout, new RegExp(theirs.taskId))
  const all = await runInProcess(['ls', '--all'], { home: store.home, cwd: store.scratch, env: SESSION })
  assert.match(all.stdout, /SESSION/)
  assert.match(all.stdout, new RegExp(`${theirs.taskId}.*other-app`))
})

test('the project is the git repository of the current directory, also from a subdirectory; a task the person starts is theirs', async (t) => {
  const store = await useTestStore(t)
  const project = fs.realpathSync(store.scratch)
  fs.mkdirSync(path.join(project, '.git'))
  const sub = path.join(project, 'packages', 'web')
  fs.mkdirSync(sub, { recursive: true })
  // The agent's server opened a session for the project root.
  const agent = await store.open({ sessionId: `project:${project}`, projectRoot: project })
  const task = await agent.spawn({ command: 'true' })
  const fromSub = await runInProcess(['ls', '--json'], { home: store.home, cwd: sub })
  const ids = (JSON.parse(fromSub.stdout) as Array<{ task_id: string; session_id: string }>).map(
    (r) => r.task_id,
  )
  assert.deepEqual(ids, [task.taskId])
  // A task a person starts there joins the same project, running in the subdirectory, owned by the person.
  const run = await runInProcess(['run', '--json', '--', 'pwd'], { home: store.home, cwd: sub })
  const started = JSON.parse(run.stdout) as { session_id: string; cwd: string; project_root: string }
  assert.equal(started.session_id, 'person')
  assert.equal(started.project_root, project)
  assert.equal(started.cwd, sub)
})

test('show prints the record, the live tree and where the log is; --json the same as one document', async (t) => {
  const store = await useTestStore(t)
  const tm = await store.open()
  const task = await tm.spawn({ command: 'sleep 30 & echo up; wait', description: 'a sleeper' })
  await tm.waitFor([task.taskId], { until: /up/ })
  await pollUntil(
    () => tm.planKill(task.taskId),
    (procs) => procs.some((proc) => proc.command === 'sleep 30'),
    { what: 'the sleep to have exec’d' },
  )
  const shown = await runInProcess(['show', task.taskId.slice(4, 8)], {
    home: store.home,
    cwd: store.scratch,
    env: SESSION,
  })
  assert.equal(shown.code, 0, shown.stderr)
  assert.match(shown.stdout, new RegExp(`task\\s+${task.taskId}`))
  assert.match(shown.stdout, /status\s+running/)
  assert.match(shown.stdout, /description\s+a sleeper/)
  assert.match(shown.stdout, /processes:\n(\s+\d+\s+.*\n)+/)
  assert.match(shown.stdout, /\n\s+\d+\s+sleep 30\n/)
  const logLine = /log\s+(\S+)/.exec(shown.stdout)?.[1] ?? ''
  assert.ok(logLine.endsWith(`${task.taskId}/output.log`) && fs.existsSync(logLine), logLine)

  const json = JSON.parse(
    (
      await runInProcess(['show', '--json', task.taskId], {
        home: store.home,
        cwd: store.scratch,
        env: SESSION,
      })
    ).stdout,
  ) as { task_id: string; log_path: string; processes: Array<{ pid: number }> }
  assert.equal(json.task_id, task.taskId)
  assert.equal(json.log_path, logLine)
  assert.ok(json.processes.length >= 2)
})

test('logs: ANSI stripped unless --raw, -n tails, --grep filters, --json is one document', async (t) => {
  const store = await useTestStore(t)
  const tm = await store.open()
  const task = await tm.spawn({
    command: `printf '\\033[32mgreen\\033[0m\\n'; for i in 1 2 3 4 5; do echo "line $i"; done; echo "ERROR: boom" >&2; echo end`,
  })
  await tm.wait([task.taskId])
  const opts = { home: store.home, cwd: store.scratch, env: SESSION }
  const plain = await runInProcess(['logs', task.taskId], opts)
  assert.equal(plain.stdout, 'green\nline 1\nline 2\nline 3\nline 4\nline 5\nERROR: boom\nend\n')
  const raw = await runInProcess(['logs', '--raw', task.taskId], opts)
  assert.ok(raw.stdout.startsWith('\x1b[32mgreen\x1b[0m\n'))
  assert.equal((await runInProcess(['logs', '-n', '2', task.taskId], opts)).stdout, 'ERROR: boom\nend\n')
  assert.equal(
    (await runInProcess(['logs', '--grep', 'line [24]|ERR', task.taskId], opts)).stdout,
    'line 2\nline 4\nERROR: boom\n',
  )
  assert.equal(
    (await runInProcess(['logs', '--grep', 'line', '-n', '2', task.taskId], opts)).stdout,
    'line 4\nline 5\n',
  )
  const json = JSON.parse((await runInProcess(['logs', '--json', task.taskId], opts)).stdout) as {
    text: string
    status: string
  }
  assert.equal(json.status, 'completed')
  assert.equal(json.text, plain.stdout)
})

test('ids: a unique prefix works, an ambiguous one is a usage error, an unknown one exits 1', async (t) => {
  const store = await useTestStore(t)
  const tm = await store.open()
  const tasks: TaskRecord[] = []
  // Enough tasks that two share a first hex digit.
  for (let i = 0; i < 20; i++) tasks.push(await tm.spawn({ command: 'true' }))
  const opts = { home: store.home, cwd: store.scratch, env: SESSION }
  const first = tasks[0]?.taskId ?? ''
  const shown = await runInProcess(['show', '--json', first.slice(0, 10)], opts)
  assert.equal((JSON.parse(shown.stdout) as { task_id: string }).task_id, first)
  const digit = [...'0123456789abcdef'].find((d) => tasks.filter((task) => task.taskId[4] === d).length > 1)
  assert.ok(digit)
  const ambiguous = await runInProcess(['show', digit], opts)
  assert.equal(ambiguous.code, 2)
  assert.match(ambiguous.stderr, /Ambiguous task id .* it matches bgb-/)
  const missing = await runInProcess(['show', '--json', 'bgb-ffffffff'], opts)
  assert.equal(missing.code, 1)
  assert.match(missing.stderr, /^bgbash: Task not found/)
  assert.equal((JSON.parse(missing.stdout) as { error: { code: string } }).error.code, 'task_not_found')
})

test('kill --dry-run lists the tree and signals nothing; gc --dry-run lists and removes nothing', async (t) => {
  const store = await useTestStore(t)
  const tm = await store.open()
  const task = await tm.spawn({ command: 'sleep 30 & sleep 30 & echo up; wait' })
  await tm.waitFor([task.taskId], { until: /up/ })
  // A background job prints nothing when it has exec'd: wait until both sleeps are sleep.
  await pollUntil(
    () => tm.planKill(task.taskId),
    (procs) => procs.filter((proc) => proc.command === 'sleep 30').length === 2,
    { what: 'both sleeps to run' },
  )
  const opts = { home: store.home, cwd: store.scratch, env: SESSION }
  const plan = JSON.parse(
    (await runInProcess(['kill', '--dry-run', '--json', task.taskId], opts)).stdout,
  ) as Array<{
    task_id: string
    processes: Array<{ pid: number; command: string }>
  }>
  assert.equal(plan[0]?.task_id, task.taskId)
  assert.equal(plan[0]?.processes.filter((proc) => proc.command === 'sleep 30').length, 2)
  assert.equal((await tm.status(task.taskId)).status, 'running')
  const text = await runInProcess(['kill', '--dry-run', task.taskId], opts)
  assert.match(text.stdout, /would signal \d+ processes/)

  const killed = JSON.parse(
    (await runInProcess(['kill', '--json', '--grace', '500ms', task.taskId], opts)).stdout,
  ) as Array<{
    status: string
    killed_by: string
  }>
  assert.equal(killed[0]?.status, 'killed')
  assert.equal(killed[0]?.killed_by, 'cli')
  // Its completion is owed to a live owner (tm): gc keeps it whatever --older-than says.
  const kept = JSON.parse((await runInProcess(['gc', '--json', '--older-than', '0ms'], opts)).stdout)
  assert.deepEqual(kept.removed, [])
  // The test's manager has seen the end (the CLI's manager recorded it) before it takes what it is owed.
  await tm.wait([task.taskId])
  assert.deepEqual(
    (await tm.takeCompletions()).map((c) => c.taskId),
    [task.taskId],
  )
  const gc = JSON.parse(
    (await runInProcess(['gc', '--json', '--dry-run', '--older-than', '0ms'], opts)).stdout,
  ) as {
    removed: string[]
    dry_run: boolean
  }
  assert.deepEqual(gc.removed, [task.taskId])
  assert.equal(gc.dry_run, true)
  assert.equal((await tm.status(task.taskId)).status, 'killed', 'still there after a dry run')
  const real = await runInProcess(['gc', '--older-than', '0ms'], opts)
  assert.match(real.stdout, /removed 1 ended task/)
  await assert.rejects(tm.status(task.taskId), { code: 'task_not_found' })
})

test('wait --until returns on the line, with a match; --timeout exits 124 and the task keeps running', async (t) => {
  const store = await useTestStore(t)
  const tm = await store.open()
  const task = await tm.spawn({ command: 'echo starting; echo "listening on 4000"; sleep 30' })
  const opts = { home: store.home, cwd: store.scratch, env: SESSION }
  const matched = await runInProcess(['wait', task.taskId, '--until', 'listening on \\d+', '--json'], opts)
  assert.equal(matched.code, 0, matched.stderr)
  const result = JSON.parse(matched.stdout) as { reason: string; match: { line: string } }
  assert.equal(result.reason, 'match')
  assert.equal(result.match.line, 'listening on 4000')
  const timedOut = await runInProcess(['wait', task.taskId, '--timeout', '200ms'], opts)
  assert.equal(timedOut.code, 124)
  assert.match(timedOut.stderr, /wait timed out/)
  assert.match(timedOut.stdout, new RegExp(`${task.taskId}\\s+running`))
  assert.equal((await tm.status(task.taskId)).status, 'running')
})

test('ls --watch off a terminal prints a new plain table only when something changed, until interrupted', async (t) => {
  const store = await useTestStore(t)
  const tm = await store.open()
  const task = await tm.spawn({ command: 'read line; exit 0', stdin: true })
  // Another manager (the CLI's) sees the task `starting` until its wrapper has recorded its pid.
  await readPidRecord(taskDirOf(store.home, task.taskId))
  const interrupt = new AbortController()
  let stdout = ''
  const watching = runInProcess(['ls', '--watch'], {
    home: store.home,
    cwd: store.scratch,
    env: SESSION,
    signal: interrupt.signal,
    onStdout: (text) => {
      stdout += text
    },
  })
  await pollUntil(
    () => stdout,
    (text) => new RegExp(`${task.taskId}\\s+running`).test(text),
    { what: 'first table' },
  )
  await tm.write(task.taskId, 'done\n')
  await pollUntil(
    () => stdout,
    (text) => new RegExp(`${task.taskId}\\s+completed`).test(text),
    { what: 'second table' },
  )
  interrupt.abort()
  const run = await watching
  assert.equal(run.code, 0)
  assert.equal(run.stdout, stripAnsi(run.stdout), 'no colour, no cursor movement')
  const tables = run.stdout.split(/^--- \S+\n/m)
  assert.equal(tables.length, 2, run.stdout)
})
