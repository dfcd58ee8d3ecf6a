// The wrapper's relay on its own, with no manager: what the kernel and the wrapper guarantee
// whether or not anybody watches the task (src/proc/spawn.ts).
import assert from 'node:assert/strict'
import type { ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { spawnWrapper } from '../../src/proc/spawn.js'
import { findTaskProcesses, killStoreProcesses } from '../helpers/pids.js'
import { useTestStore } from '../helpers/store.js'
import { pollUntil } from '../helpers/wait.js'

const MIB = 2 ** 20

interface Started {
  child: ChildProcess
  dir: string
  taskId: string
  exited: Promise<number | null>
}

/** Starts the wrapper by hand in a fresh directory, as the manager would but without one. */
async function startWrapper(
  t: import('node:test').TestContext,
  command: string,
  { capBytes = 100 * MIB, env = process.env }: { capBytes?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<Started> {
  const { scratch } = await useTestStore(t)
  const dir = fs.mkdtempSync(path.join(scratch, 'relay-'))
  const taskId = `bgb-${randomBytes(4).toString('hex')}`
  const child = spawnWrapper({
    shellPath: '/bin/bash',
    command,
    cwd: dir,
    env: { ...env, BGBASH_TASK_ID: taskId },
    logPath: path.join(dir, 'output.log'),
    exitPath: path.join(dir, 'exit'),
    droppedPath: path.join(dir, 'dropped.json'),
    capBytes,
  })
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  t.after(() =>
    killStoreProcesses('/nonexistent', [...(child.pid ? [child.pid] : []), ...findTaskProcesses([taskId])]),
  )
  return { child, dir, taskId, exited }
}

const read = (dir: string, name: string) => fs.readFileSync(path.join(dir, name), 'utf8')

test('every byte the command writes reaches the log, in order, before the exit code is written', async (t) => {
  // 2.6 MiB in one stream, then stdout and stderr taking turns a write at a time, then an end
  // without a newline.
  const command =
    'seq 1 400000; for i in $(seq 1 5000); do echo "out $i"; echo "err $i" >&2; done; printf tail; exit 3'
  const { dir, exited } = await startWrapper(t, command)
  assert.equal(await exited, 3)
  assert.equal(read(dir, 'exit'), '3\ndrained\n')
  const expected = [
    ...Array.from({ length: 400_000 }, (_, i) => `${i + 1}\n`),
    ...Array.from({ length: 5000 }, (_, i) => `out ${i + 1}\nerr ${i + 1}\n`),
    'tail',
  ].join('')
  assert.ok(read(dir, 'output.log') === expected, 'the log is exactly what was written')
})

test('with no manager running, a yes flood stays under its 5 MiB cap on disk at every sample', async (t) => {
  const cap = 5 * MIB
  const { child, dir, exited } = await startWrapper(t, 'echo FIRST; exec yes', { capBytes: cap })
  const log = path.join(dir, 'output.log')
  let peak = 0
  await pollUntil(
    () => {
      const stat = fs.statSync(log, { throwIfNoEntry: false })
      peak = Math.max(peak, (stat?.blocks ?? 0) * 512)
      return stat?.size ?? 0
    },
    (size) => size > 30 * cap,
    { timeoutMs: 60_000, intervalMs: 1, what: 'the log to pass 150 MiB' },
  )
  process.kill(-child.pid!, 'SIGTERM')
  assert.equal(await exited, null)
  t.diagnostic(`peak on disk ${peak} bytes for a ${cap}-byte cap`)
  // The relay trims before the log can pass the cap; what the file system rounds up to whole
  // blocks (or allocates ahead of the end) may add a little.
  assert.ok(peak <= cap + 64 * 1024, `peak on disk ${peak}`)
  const dropped = JSON.parse(read(dir, 'dropped.json'))
  assert.equal(dropped.head_bytes, MIB)
  assert.ok(dropped.dropped_until > 25 * cap)
  assert.equal(fs.readFileSync(log).subarray(0, 6).toString(), 'FIRST\n')
  assert.equal(fs.statSync(path.join(dir, 'dropped.json')).mode & 0o777, 0o600)
})

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
  assert.equal(read(dir, 'exit'), '0\n', 'not drained while the leftover holds the pipe')
  assert.equal(read(dir, 'output.log'), 'started\n')
  // Once the leftover goes, the relay drains and the wrapper says so.
  for (const pid of findTaskProcesses([taskId])) {
    if (fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'sleep') process.kill(pid, 'SIGKILL')
  }
  assert.equal(await exited, 0)
  assert.equal(read(dir, 'exit'), '0\ndrained\n')
})

test('a cap of 0 means no cap: the relay copies everything and drops nothing', async (t) => {
  const { dir, exited } = await startWrapper(t, 'head -c 3000000 /dev/zero | tr "\\0" n', { capBytes: 0 })
  assert.equal(await exited, 0)
  assert.equal(fs.statSync(path.join(dir, 'output.log')).size, 3_000_000)
  assert.equal(fs.existsSync(path.join(dir, 'dropped.json')), false)
})
