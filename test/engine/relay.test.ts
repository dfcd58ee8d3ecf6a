// The wrapper's relay on its own, with no manager: what the kernel and the wrapper guarantee
// whether or not anybody watches the task (src/proc/spawn.ts).
import assert from 'node:assert/strict'
import type { ChildProcess } from 'node:child_process'
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { makeFifo, type WrapperOptions, wrapperArgs } from '../../src/proc/spawn.js'
import { findTaskProcesses, killStoreProcesses, readStartTime, trackProcess } from '../helpers/pids.js'
import { useTestStore } from '../helpers/store.js'
import { pollUntil } from '../helpers/wait.js'

const MIB = 2 ** 20

interface Started {
  child: ChildProcess
  dir: string
  taskId: string
  exited: Promise<number | null>
}

/**
 * How the wrapper gets its pipes: from here-documents reopened through /proc/self/fd (dash), or,
 * with /proc hidden in a mount namespace of its own, as on a /bin/sh whose here-documents are
 * files, from a FIFO and command substitutions.
 */
type Pipes = 'here-document' | 'fallback'

/** Starts the wrapper by hand in a fresh directory, as the manager would but without one. */
async function startWrapper(
  t: import('node:test').TestContext,
  command: string,
  {
    capBytes = 100 * MIB,
    env = process.env,
    pipes = 'here-document',
    stdin = false,
  }: { capBytes?: number; env?: NodeJS.ProcessEnv; pipes?: Pipes; stdin?: boolean } = {},
): Promise<Started> {
  const { scratch } = await useTestStore(t)
  const dir = fs.mkdtempSync(path.join(scratch, 'relay-'))
  const taskId = `bgb-${randomBytes(4).toString('hex')}`
  const options: WrapperOptions = {
    shellPath: '/bin/bash',
    command,
    cwd: dir,
    env: { ...env, BGBASH_TASK_ID: taskId },
    logPath: path.join(dir, 'output.log'),
    exitPath: path.join(dir, 'exit'),
    droppedPath: path.join(dir, 'dropped.json'),
    capBytes,
    startedAt: Date.now(),
    stdinPath: stdin ? path.join(dir, 'stdin') : undefined,
  }
  if (options.stdinPath) makeFifo(options.stdinPath)
  const [file, args] =
    pipes === 'here-document'
      ? ['/bin/sh', wrapperArgs(options)]
      : [
          'unshare',
          [
            '-m',
            '--',
            '/bin/sh',
            '-c',
            'mount -t tmpfs none /proc && exec /bin/sh "$@"',
            'sh',
            ...wrapperArgs(options),
          ],
        ]
  const child = spawn(file, args, { cwd: dir, env: options.env, detached: true, stdio: 'ignore' })
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  const wrapper = trackProcess(child.pid)
  t.after(() => killStoreProcesses('/nonexistent', [wrapper], [taskId]))
  return { child, dir, taskId, exited }
}

const read = (dir: string, name: string) => fs.readFileSync(path.join(dir, name), 'utf8')

/** A process's name; undefined once it is gone (it may exit between the listing and the look). */
function commOf(pid: number): string | undefined {
  try {
    return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim()
  } catch {
    return undefined
  }
}

/** Every byte reaches the log, in order, before the exit is recorded. */
async function checkEveryByteInOrder(t: import('node:test').TestContext, pipes: Pipes): Promise<void> {
  // 2.6 MiB in one stream, then stdout and stderr taking turns a write at a time, then an end
  // without a newline. The command also says whether it sees /proc.
  const command =
    'test -e /proc/self && echo proc || echo no-proc; seq 1 400000; for i in $(seq 1 5000); do echo "out $i"; echo "err $i" >&2; done; printf tail; exit 3'
  const { dir, exited } = await startWrapper(t, command, { pipes })
  assert.equal(await exited, 3)
  assert.equal(read(dir, 'exit'), '3\ndrained\n')
  const expected = [
    pipes === 'here-document' ? 'proc\n' : 'no-proc\n',
    ...Array.from({ length: 400_000 }, (_, i) => `${i + 1}\n`),
    ...Array.from({ length: 5000 }, (_, i) => `out ${i + 1}\nerr ${i + 1}\n`),
    'tail',
  ].join('')
  assert.ok(read(dir, 'output.log') === expected, 'the log is exactly what was written')
  // Where /proc is hidden the wrapper cannot read its start time, so it records no pid.json.
  const records = pipes === 'here-document' ? ['exit', 'output.log', 'pid.json'] : ['exit', 'output.log']
  assert.deepEqual(fs.readdirSync(dir).sort(), records, 'no FIFO or temp file left')
}

/** A yes flood stays under its cap on disk at every sample, with no manager running. */
async function checkFloodUnderCap(
  t: import('node:test').TestContext,
  pipes: Pipes,
  passMiB: number,
): Promise<void> {
  const cap = 5 * MIB
  const { child, dir, exited } = await startWrapper(t, 'echo FIRST; exec yes', { capBytes: cap, pipes })
  const log = path.join(dir, 'output.log')
  let peak = 0
  await pollUntil(
    () => {
      const stat = fs.statSync(log, { throwIfNoEntry: false })
      peak = Math.max(peak, (stat?.blocks ?? 0) * 512)
      return stat?.size ?? 0
    },
    (size) => size > passMiB * MIB,
    { timeoutMs: 60_000, intervalMs: 1, what: `the log to pass ${passMiB} MiB` },
  )
  process.kill(-child.pid!, 'SIGTERM')
  assert.equal(await exited, null)
  t.diagnostic(`peak on disk ${peak} bytes for a ${cap}-byte cap`)
  // The relay trims before the log can pass the cap; what the file system rounds up to whole
  // blocks (or allocates ahead of the end) may add a little.
  assert.ok(peak <= cap + 64 * 1024, `peak on disk ${peak}`)
  const dropped = JSON.parse(read(dir, 'dropped.json'))
  assert.equal(dropped.head_bytes, MIB)
  assert.ok(dropped.dropped_until > passMiB * MIB - 2 * cap)
  assert.equal(fs.readFileSync(log).subarray(0, 6).toString(), 'FIRST\n')
  assert.equal(fs.statSync(path.join(dir, 'dropped.json')).mode & 0o777, 0o600)
}

test('every byte the command writes reaches the log, in order, before the exit code is written', (t) =>
  checkEveryByteInOrder(t, 'here-document'))

test('the wrapper records its pid, start time, starter and start in pid.json before it opens exit', async (t) => {
  const before = Date.now()
  const { child, dir } = await startWrapper(t, 'sleep 30')
  const after = Date.now()
  await pollUntil(
    () => fs.existsSync(path.join(dir, 'exit')),
    (found) => found,
    { what: 'the wrapper to open exit' },
  )
  const record = JSON.parse(read(dir, 'pid.json'))
  assert.deepEqual(Object.keys(record), ['pid', 'pgid', 'start_time', 'spawned_by', 'started_at'])
  assert.equal(record.pid, child.pid)
  assert.equal(record.pgid, child.pid)
  assert.equal(record.start_time, readStartTime(child.pid!))
  assert.equal(record.spawned_by, process.pid)
  assert.ok(
    record.started_at >= before && record.started_at <= after,
    'started_at is what the starter passed',
  )
  assert.equal((fs.statSync(path.join(dir, 'pid.json')).mode & 0o777).toString(8), '600')
})

test('with no manager running, a yes flood stays under its 5 MiB cap on disk at every sample', (t) =>
  checkFloodUnderCap(t, 'here-document', 150))

test('where here-documents give no pipe, a FIFO carries the output: every byte, in order', (t) =>
  checkEveryByteInOrder(t, 'fallback'))

test('where here-documents give no pipe, a yes flood still stays under its cap', (t) =>
  checkFloodUnderCap(t, 'fallback', 40))

test('where holes cannot be punched the relay stops trimming, takes back its mark and keeps the output flowing', async (t) => {
  const { scratch } = await useTestStore(t)
  const bin = path.join(scratch, 'bin')
  fs.mkdirSync(bin)
  fs.writeFileSync(path.join(bin, 'fallocate'), '#!/bin/sh\necho "fallocate: no holes here" >&2\nexit 1\n', {
    mode: 0o755,
  })
  const cap = 256 * 1024
  const { dir, exited } = await startWrapper(t, 'head -c 2000000 /dev/zero | tr "\\0" y; echo; echo END', {
    capBytes: cap,
    env: { ...process.env, PATH: `${bin}:${process.env.PATH}` },
  })
  assert.equal(await exited, 0)
  assert.equal(fs.statSync(path.join(dir, 'output.log')).size, 2_000_000 + 5)
  assert.ok(read(dir, 'output.log').endsWith('y\nEND\n'))
  const dropped = JSON.parse(read(dir, 'dropped.json'))
  assert.equal(dropped.dropped_until, dropped.head_bytes, 'nothing counts as dropped')
})

test('a process left holding the output keeps the relay going: the code comes at once, drained when it goes', async (t) => {
  const { dir, taskId, exited } = await startWrapper(t, 'sleep 30 & echo started')
  await pollUntil(
    () => (fs.existsSync(path.join(dir, 'exit')) ? read(dir, 'exit') : ''),
    (text) => text.endsWith('\n'),
    { what: 'the exit code' },
  )
  // The relay copies what is in the pipe meanwhile, but cannot see its end.
  await pollUntil(
    () => read(dir, 'output.log'),
    (text) => text === 'started\n',
    { what: 'the output to reach the log' },
  )
  assert.equal(read(dir, 'exit'), '0\n', 'not drained while the leftover holds the pipe')
  // Once the leftover goes, the relay drains and the wrapper says so.
  for (const pid of findTaskProcesses([taskId])) {
    if (commOf(pid) === 'sleep') process.kill(pid, 'SIGKILL')
  }
  assert.equal(await exited, 0)
  assert.equal(read(dir, 'exit'), '0\ndrained\n')
})

test('end of input while the output still drains does not cut the drain short', async (t) => {
  // The command exits at once; a process it left holds the pipe for a moment longer. End of
  // input (SIGUSR1 to the wrapper) then comes while the wrapper waits for the relay.
  const { child, dir, exited } = await startWrapper(t, '(sleep 0.5; echo late) & echo early', { stdin: true })
  await pollUntil(
    () => (fs.existsSync(path.join(dir, 'exit')) ? read(dir, 'exit') : ''),
    (text) => text.endsWith('\n'),
    { what: 'the exit code' },
  )
  process.kill(child.pid!, 'SIGUSR1')
  assert.equal(await exited, 0)
  assert.equal(read(dir, 'exit'), '0\ndrained\n')
  assert.equal(read(dir, 'output.log'), 'early\nlate\n', 'drained only once the last byte is in')
})

test('a cap of 0 means no cap: the relay copies everything and drops nothing', async (t) => {
  const { dir, exited } = await startWrapper(t, 'head -c 3000000 /dev/zero | tr "\\0" n', { capBytes: 0 })
  assert.equal(await exited, 0)
  assert.equal(fs.statSync(path.join(dir, 'output.log')).size, 3_000_000)
  assert.equal(fs.existsSync(path.join(dir, 'dropped.json')), false)
})
