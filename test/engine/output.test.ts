import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { waitForOutput } from '../helpers/output.js'
import { findTaskProcesses } from '../helpers/pids.js'
import { taskDirOf, useTestStore } from '../helpers/store.js'
import { pollUntil } from '../helpers/wait.js'

test('stdout and stderr are interleaved in the order written', async (t) => {
  const tm = await (await useTestStore(t)).open()
  const { taskId } = await tm.spawn({ command: 'for i in 1 2 3; do echo "out $i"; echo "err $i" >&2; done' })
  await tm.wait([taskId])
  assert.equal((await tm.read(taskId)).text, 'out 1\nerr 1\nout 2\nerr 2\nout 3\nerr 3\n')
})

test('reads by offset, max bytes, head and tail lines return absolute offsets', async (t) => {
  const tm = await (await useTestStore(t)).open()
  const { taskId } = await tm.spawn({ command: 'seq 1 1000' })
  await tm.wait([taskId])
  const all = (await tm.read(taskId, { maxBytes: 1 << 20 })).text
  const first = await tm.read(taskId, { maxBytes: 10 })
  assert.equal(first.text, all.slice(0, 10))
  assert.equal(first.offset, 0)
  assert.equal(first.nextOffset, 10)
  assert.equal(first.eof, false)
  const next = await tm.read(taskId, { offset: first.nextOffset, maxBytes: 10 })
  assert.equal(next.text, all.slice(10, 20))
  const tail = await tm.read(taskId, { tailLines: 3 })
  assert.equal(tail.text, '998\n999\n1000\n')
  assert.equal(tail.nextOffset, tail.totalBytes)
  assert.equal(tail.eof, true)
  assert.equal(tail.offset, Buffer.byteLength(all) - Buffer.byteLength('998\n999\n1000\n'))
  const head = await tm.read(taskId, { headLines: 2 })
  assert.equal(head.text, '1\n2\n')
  const end = await tm.read(taskId, { offset: tail.totalBytes })
  assert.equal(end.text, '')
  assert.equal(end.eof, true)
})

test('a read never cuts a UTF-8 character in half', async (t) => {
  const tm = await (await useTestStore(t)).open()
  const { taskId } = await tm.spawn({ command: `printf 'héllo wörld €uro\\n'` })
  await tm.wait([taskId])
  let offset = 0
  let text = ''
  for (let i = 0; i < 40; i++) {
    const part = await tm.read(taskId, { offset, maxBytes: 2 })
    text += part.text
    offset = part.nextOffset
    if (part.eof) break
  }
  assert.equal(text, 'héllo wörld €uro\n')
})

test('tail of a huge log is read without loading the file', async (t) => {
  const tm = await (await useTestStore(t)).open()
  const { taskId } = await tm.spawn({ command: 'echo start' })
  await tm.wait([taskId])
  const log = path.join(taskDirOf(tm.storeRoot, taskId), 'output.log')
  // A sparse 8 GiB log: reading it whole would exceed Node's buffer limit and throw.
  fs.truncateSync(log, 8 * 1024 ** 3)
  fs.appendFileSync(log, '\nlast line\n')
  const tail = await tm.read(taskId, { tailLines: 1, maxBytes: 4096 })
  assert.equal(tail.text, 'last line\n')
  assert.equal(tail.totalBytes, 8 * 1024 ** 3 + 11)
})

test('the disk cap holds while a flooding task runs: 200 MiB written, a few MiB on disk, offsets absolute', async (t) => {
  const cap = 5 * 1024 * 1024
  const tm = await (await useTestStore(t)).open({ outputCapBytes: cap })
  const { taskId } = await tm.spawn({ command: 'echo FIRST-LINE; yes' })
  const log = path.join(taskDirOf(tm.storeRoot, taskId), 'output.log')
  let maxOnDisk = 0
  // Sample the blocks on disk while the task writes 40 times its cap.
  await pollUntil(
    () => {
      const stat = fs.statSync(log, { throwIfNoEntry: false }) ?? { blocks: 0, size: 0 }
      maxOnDisk = Math.max(maxOnDisk, stat.blocks * 512)
      return stat.size
    },
    (size) => size > 40 * cap,
    { timeoutMs: 60_000, intervalMs: 2, what: 'the log to pass 200 MiB' },
  )
  const running = await tm.read(taskId, { offset: 0, maxBytes: 11 })
  assert.equal(running.status, 'running')
  assert.equal(running.text, 'FIRST-LINE\n')
  assert.ok(running.droppedBytes > 0, 'dropped bytes are reported')
  const middle = await tm.read(taskId, { offset: 2 * 1024 * 1024, maxBytes: 100 })
  assert.ok(middle.offset > 2 * 1024 * 1024, 'a read in the dropped range starts after it')
  assert.match(middle.text, /^\n?(y\n)+y?$/)
  const record = await tm.kill(taskId)
  t.diagnostic(
    `log peak on disk ${maxOnDisk} bytes for a ${cap}-byte cap, ${record.outputBytes} bytes written`,
  )
  // The task's relay trims after every step it copies and `yes` blocks on the pipe meanwhile: the
  // bound holds however busy the machine is (the aim: under 6 MiB for a 5 MiB cap).
  assert.ok(maxOnDisk < 6 * 1024 * 1024, `on disk at most ${maxOnDisk} bytes`)
  assert.ok(record.outputBytes > 40 * cap)
  assert.ok(record.droppedBytes > 30 * cap)
})

test('a relay too slow to drain at once (a busy machine) still gets the last output into the completion', async (t) => {
  const store = await useTestStore(t)
  const tm = await store.open()
  const gate = path.join(store.scratch, 'gate')
  const { taskId, pid } = await tm.spawn({
    command: `echo begin; while [ ! -e ${gate} ]; do sleep 0.01; done; echo last words`,
  })
  await waitForOutput(tm, taskId, /begin/)
  // Freeze the relay and its dd, as a CPU too busy to run them would: the last words wait in the
  // pipe after the command has exited.
  const relay = findTaskProcesses([taskId]).filter((p) => p !== pid && isPlumbing(p))
  assert.ok(relay.length >= 2, `the relay and its dd: ${relay}`)
  for (const p of relay) process.kill(p, 'SIGSTOP')
  fs.writeFileSync(gate, '')
  const exitFile = path.join(taskDirOf(store.home, taskId), 'exit')
  await pollUntil(
    () => (fs.existsSync(exitFile) ? fs.readFileSync(exitFile, 'utf8') : ''),
    (text) => text === '0\n',
    { what: 'the exit code without drained' },
  )
  // Three times as long as a task with a leftover holding the pipe would wait: this one waits on.
  await new Promise((resolve) => setTimeout(resolve, 750))
  assert.equal((await tm.status(taskId)).status, 'running')
  for (const p of relay) process.kill(p, 'SIGCONT')
  const [done] = await tm.wait([taskId])
  assert.equal(done!.status, 'completed')
  assert.equal((await tm.read(taskId)).text, 'begin\nlast words\n')
  assert.equal(done!.leftoverProcesses, undefined)
})

/** The wrapper's relay fork (same command line as the wrapper) or a tool it runs (`dd`). */
function isPlumbing(pid: number): boolean {
  let argv: string[]
  try {
    argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')
  } catch {
    return false // gone already: one of the command's short-lived `sleep`s
  }
  return (argv[0] === '/bin/sh' && argv[2]?.startsWith('umask 077')) || argv[0] === 'dd'
}
