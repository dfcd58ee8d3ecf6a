import assert from 'node:assert/strict'
import { type ChildProcess, spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { BGBASH_BIN, runBinary } from '../helpers/cli.js'
import { findTaskProcesses } from '../helpers/pids.js'
import { useTestStore } from '../helpers/store.js'
import { pollUntil } from '../helpers/wait.js'

const SESSION = { BGBASH_SESSION: 'test-session' }

/** Starts the built binary and collects what it prints, for tests that act while it runs. */
function startBinary(args: string[], home: string, cwd: string) {
  const child: ChildProcess = spawn(process.execPath, [BGBASH_BIN, ...args], {
    cwd,
    env: { ...process.env, ...SESSION, NO_COLOR: '1', BGBASH_HOME: home },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const out = { stdout: '', stderr: '' }
  child.stdout?.on('data', (chunk: Buffer) => {
    out.stdout += chunk.toString()
  })
  child.stderr?.on('data', (chunk: Buffer) => {
    out.stderr += chunk.toString()
  })
  const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)))
  return { child, out, closed }
}

test('run prints the id; run --wait streams the output live and exits with the task’s code', async (t) => {
  const store = await useTestStore(t)
  const opts = { home: store.home, cwd: store.scratch, env: SESSION }
  const started = await runBinary(['run', '--', 'echo', 'hello world'], opts)
  assert.equal(started.code, 0, started.stderr)
  assert.match(started.stdout, /^bgb-[0-9a-f]{8}\n$/)

  const go = path.join(store.scratch, 'go')
  const live = startBinary(
    ['run', '--wait', '--', `echo first; while [ ! -e ${go} ]; do sleep 0.02; done; echo second; exit 4`],
    store.home,
    store.scratch,
  )
  // The first line arrives while the task is still waiting for us: streamed, not printed at the end.
  await pollUntil(
    () => live.out.stdout,
    (text) => text.includes('first\n'),
    { what: 'first line' },
  )
  assert.ok(!live.out.stdout.includes('second'))
  fs.writeFileSync(go, '')
  assert.equal(await live.closed, 4)
  assert.equal(live.out.stdout, 'first\nsecond\n')
  assert.match(live.out.stderr, /failed \(exit 4\)/)
})

test('run --wait --timeout exits 124; Ctrl-C stops watching and leaves the task running', async (t) => {
  const store = await useTestStore(t)
  const opts = { home: store.home, cwd: store.scratch, env: SESSION }
  const timedOut = await runBinary(
    ['run', '--wait', '--timeout', '300ms', '--', 'echo begun; sleep 30'],
    opts,
  )
  assert.equal(timedOut.code, 124)
  assert.equal(timedOut.stdout, 'begun\n')

  const watching = startBinary(['run', '--wait', '--', 'echo up; sleep 30'], store.home, store.scratch)
  await pollUntil(
    () => watching.out.stdout,
    (text) => text.includes('up\n'),
    { what: 'up' },
  )
  watching.child.kill('SIGINT')
  assert.equal(await watching.closed, 130)
  const id = /bgb-[0-9a-f]{8}/.exec(watching.out.stderr)?.[0] ?? ''
  assert.match(watching.out.stderr, /keeps running/)
  const tm = await store.open()
  assert.equal((await tm.status(id)).status, 'running')
})

test('logs -f follows to the end across bytes dropped by the disk cap, then exits with the task’s code', async (t) => {
  const store = await useTestStore(t)
  // This manager watches the task and enforces a small cap while the follower is frozen.
  const tm = await store.open({ outputCapBytes: 2 * 1024 * 1024 })
  const go = path.join(store.scratch, 'go')
  const task = await tm.spawn({
    command: `seq 1 100000; while [ ! -e ${go} ]; do sleep 0.02; done; yes flood | head -c 30000000; echo last; exit 5`,
  })
  const follower = startBinary(['logs', '-f', task.taskId], store.home, store.scratch)
  await pollUntil(
    () => follower.out.stdout,
    (text) => text.includes('\n100000\n'),
    { what: 'the head' },
  )
  follower.child.kill('SIGSTOP')
  fs.writeFileSync(go, '')
  const [ended] = await tm.wait([task.taskId])
  assert.ok((ended?.droppedBytes ?? 0) > 0, 'the cap dropped bytes while the follower slept')
  follower.child.kill('SIGCONT')
  assert.equal(await follower.closed, 5)
  assert.match(follower.out.stderr, /bytes dropped by the disk cap/)
  assert.ok(follower.out.stdout.startsWith('1\n2\n3\n'))
  assert.ok(follower.out.stdout.endsWith('flood\nlast\n'), follower.out.stdout.slice(-40))
})

test('logs -f --json prints NDJSON events ending with the record', async (t) => {
  const store = await useTestStore(t)
  const opts = { home: store.home, cwd: store.scratch, env: SESSION }
  const id = (await runBinary(['run', '--', 'echo one; echo two; exit 2'], opts)).stdout.trim()
  const followed = await runBinary(['logs', '-f', '--json', id], opts)
  assert.equal(followed.code, 2)
  const events = followed.stdout
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as { event: string; text?: string; task?: { status: string } })
  assert.equal(
    events
      .filter((event) => event.event === 'output')
      .map((event) => event.text)
      .join(''),
    'one\ntwo\n',
  )
  assert.deepEqual(events.at(-1), { event: 'end', task: events.at(-1)?.task })
  assert.equal(events.at(-1)?.task?.status, 'failed')
})

test('wait exits with the task’s code; kill by prefix ends the whole tree', async (t) => {
  const store = await useTestStore(t)
  const opts = { home: store.home, cwd: store.scratch, env: SESSION }
  const failing = (await runBinary(['run', '--', 'exit 7'], opts)).stdout.trim()
  const waited = await runBinary(['wait', failing], opts)
  assert.equal(waited.code, 7)
  assert.match(waited.stdout, new RegExp(`${failing}\\s+failed exit 7`))

  const tree = (
    await runBinary(['run', '--', 'sleep 30 & (setsid sleep 31 &); echo up; wait'], opts)
  ).stdout.trim()
  const tm = await store.open()
  await tm.waitFor([tree], { until: /up/ })
  await pollUntil(
    () => findTaskProcesses([tree]).length,
    (count) => count >= 4,
    { what: 'the tree' },
  )
  const killed = await runBinary(['kill', tree.slice(4, 9)], opts)
  assert.equal(killed.code, 0, killed.stderr)
  assert.match(killed.stdout, new RegExp(`${tree}\\s+killed`))
  assert.deepEqual(findTaskProcesses([tree]), [], 'no survivor, the setsid one included')
  const again = await runBinary(['wait', tree], opts)
  assert.notEqual(again.code, 0)
})

test('run --ready-when returns once the server is ready (0), or exits 124 / 1 / the task’s code when it is not', async (t) => {
  const store = await useTestStore(t)
  const opts = { home: store.home, cwd: store.scratch, env: SESSION }
  const server = `echo starting; sleep 0.1; echo "Listening on http://localhost:4000"; exec sleep 30`
  const ready = await runBinary(['run', '--ready-when', 'Listening on', '--', server], opts)
  assert.equal(ready.code, 0, ready.stderr)
  assert.match(ready.stdout, /^bgb-[0-9a-f]{8}\n$/)
  assert.match(ready.stderr, /ready after \d+ ms \(output: Listening on http:\/\/localhost:4000\)/)

  const slow = await runBinary(
    ['run', '--ready-when', 'port:1', '--ready-timeout', '300ms', '--', 'exec sleep 30'],
    opts,
  )
  assert.equal(slow.code, 124, slow.stderr)
  assert.match(slow.stderr, /not ready after \d+ ms/)
  assert.match(slow.stderr, /keeps running/)

  const failing = await runBinary(
    [
      'run',
      '--ready-when',
      'url:http://127.0.0.1:1/',
      '--fail-on',
      'EADDRINUSE',
      '--',
      'echo "Error: EADDRINUSE"; exec sleep 30',
    ],
    opts,
  )
  assert.equal(failing.code, 1, failing.stderr)
  assert.match(failing.stderr, /shows a failure .*EADDRINUSE/)

  const ended = await runBinary(['run', '--ready-when', 'port:1', '--', 'exit 5'], opts)
  assert.equal(ended.code, 5, ended.stderr)
  assert.match(ended.stderr, /ended before it was ready/)

  const usage = await runBinary(['run', '--ready-when', 'port:99999', '--', 'true'], opts)
  assert.equal(usage.code, 2)
  assert.match(usage.stderr, /port must be from 1 to 65535/)
})

test('a reader that went away ends the command quietly (ls --json | head), not with EPIPE', async (t) => {
  const store = await useTestStore(t)
  for (const word of ['one', 'two'])
    await runBinary(['run', '--', 'echo', word], { home: store.home, cwd: store.scratch })
  const child = spawn(process.execPath, [BGBASH_BIN, 'ls', '--json', '--home', store.home], {
    cwd: store.scratch,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  // The reader is gone before the command writes anything.
  child.stdout.destroy()
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString()
  })
  const code = await new Promise<number | null>((resolve) =>
    child.on('close', (exitCode) => resolve(exitCode)),
  )
  assert.equal(stderr, '')
  assert.equal(code, 0)
})
