import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { test } from 'node:test'
import { MAX_ARG_BYTES, MAX_COMMAND_BYTES } from '../../src/constants.js'
import type { Completion } from '../../src/index.js'
import { sourceCommand } from '../../src/proc/spawn.js'
import { waitForOutput } from '../helpers/output.js'
import { useTestStore } from '../helpers/store.js'
import { pollUntil } from '../helpers/wait.js'

test('a command that exits 0 ends completed with its output', async (t) => {
  const store = await useTestStore(t)
  const tm = await store.open()
  const started = await tm.spawn({ command: 'echo hello; echo world' })
  assert.match(started.taskId, /^bgb-[0-9a-f]{8}$/)
  assert.equal(started.status, 'running')
  assert.ok(started.pid && started.pid > 0)
  const [done] = await tm.wait([started.taskId])
  assert.equal(done!.status, 'completed')
  assert.equal(done!.exitCode, 0)
  assert.equal(done!.endReason, 'exit')
  assert.ok(done!.finishedAt! >= done!.startedAt!)
  assert.equal(typeof done!.durationMs, 'number')
  assert.equal(done!.outputBytes, 12)
  assert.equal((await tm.read(started.taskId)).text, 'hello\nworld\n')
})

test('a command too long to be one argument runs whole, up to the 256 KiB limit, as -c would run it', async (t) => {
  const store = await useTestStore(t)
  const tm = await store.open()
  const tail = `' | wc -c; echo "$0 $#"`
  const filler = 'x'.repeat(MAX_COMMAND_BYTES - "printf %s '".length - tail.length)
  const long = `printf %s '${filler}${tail}`
  assert.equal(Buffer.byteLength(long), MAX_COMMAND_BYTES)
  assert.ok(long.length > MAX_ARG_BYTES)
  const short = `printf %s 'xyz${tail}`
  const ids = [(await tm.spawn({ command: long })).taskId, (await tm.spawn({ command: short })).taskId]
  const records = await tm.wait(ids)
  assert.deepEqual(
    records.map((record) => [record.status, record.exitCode]),
    [
      ['completed', 0],
      ['completed', 0],
    ],
  )
  const [longText, shortText] = await Promise.all(ids.map(async (id) => (await tm.read(id)).text))
  const [count, shellLine] = longText!.split('\n')
  assert.equal(Number(count), filler.length)
  // Sourced from its file, the long command sees the same $0 and no parameters, as under -c.
  assert.equal(shortText, `3\n${shellLine}\n`)
  assert.equal(records[0]!.command, long)
})

test('a command kept in a file is sourced from a path with quotes and spaces', (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bgbash it's "))
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
  const file = path.join(dir, 'command.sh')
  fs.writeFileSync(file, 'echo "sourced $#"')
  assert.equal(execFileSync('/bin/sh', ['-c', sourceCommand(file)], { encoding: 'utf8' }), 'sourced 0\n')
})

test("the command gets the caller's umask, default SIGINT and SIGQUIT, and none of the task's records open", async (t) => {
  const store = await useTestStore(t)
  const tm = await store.open()
  for (const stdin of [false, true]) {
    // The last command of `bash -c` replaces the shell, so /proc/self is the command itself.
    const { taskId } = await tm.spawn({
      command: 'umask; ls -l /proc/$$/fd/ | grep -o "[0-9]* -> .*"; exec grep SigIgn /proc/self/status',
      stdin,
    })
    const [done] = await tm.wait([taskId])
    assert.equal(done!.status, 'completed')
    const text = (await tm.read(taskId)).text
    const umask = process.umask().toString(8).padStart(4, '0')
    assert.equal(text.split('\n')[0], umask)
    const ignored = Number.parseInt(/SigIgn:\s*([0-9a-f]+)/.exec(text)![1]!, 16)
    assert.equal(
      ignored & 0b110,
      0,
      `SIGINT and SIGQUIT are not ignored (stdin ${stdin}, SigIgn ${ignored.toString(16)})`,
    )
    const others = text.split('\n').filter((line) => / -> /.test(line) && !line.startsWith('0 -> '))
    assert.ok(
      !others.join('\n').includes(store.home),
      `no descriptor but stdin points into the store:\n${text}`,
    )
    // Stdin is /dev/null, or the task's FIFO.
    assert.match(text, stdin ? /^0 -> .*\/stdin$/m : /^0 -> \/dev\/null$/m)
  }
})

test('a command that exits 7 ends failed with exit code 7', async (t) => {
  const tm = await (await useTestStore(t)).open()
  const { taskId } = await tm.spawn({ command: 'echo about to fail >&2; exit 7' })
  const [done] = await tm.wait([taskId])
  assert.equal(done!.status, 'failed')
  assert.equal(done!.exitCode, 7)
  assert.equal(done!.endReason, 'exit')
  assert.equal(done!.signal, undefined)
})

test('a signal nobody here sent ends the task failed with that signal', async (t) => {
  const tm = await (await useTestStore(t)).open()
  const { taskId } = await tm.spawn({ command: 'sleep 30 & echo "CHILD $!"; wait $!' })
  const [, pid] = await waitForOutput(tm, taskId, /CHILD (\d+)/)
  process.kill(Number(pid), 'SIGKILL')
  const [done] = await tm.wait([taskId])
  assert.equal(done!.status, 'failed')
  assert.equal(done!.endReason, 'signal')
  assert.equal(done!.signal, 'SIGKILL')
  assert.equal(done!.exitCode, 137)
})

test("a command that dies of a signal leaves only its own output, not the shell's report of it", async (t) => {
  const tm = await (await useTestStore(t)).open()
  const ids = await Promise.all(
    ['KILL', 'TERM', 'SEGV'].map(async (signal) => {
      const { taskId } = await tm.spawn({ command: `echo before; kill -${signal} $$; echo after` })
      return taskId
    }),
  )
  const records = await tm.wait(ids)
  assert.deepEqual(
    records.map((record) => record.signal),
    ['SIGKILL', 'SIGTERM', 'SIGSEGV'],
  )
  for (const { taskId } of records) assert.equal((await tm.read(taskId)).text, 'before\n')
})

test('the completion event arrives once per task with a preview of the output', async (t) => {
  const tm = await (await useTestStore(t)).open()
  const seen: Completion[] = []
  tm.on('completion', (completion) => seen.push(completion))
  const ok = await tm.spawn({ command: 'echo all good' })
  const bad = await tm.spawn({ command: 'echo "Error: broken thing"; exit 2' })
  const quiet = await tm.spawn({ command: 'true', notify: false })
  await tm.wait([ok.taskId, bad.taskId, quiet.taskId])
  assert.deepEqual(seen.map((c) => c.taskId).sort(), [ok.taskId, bad.taskId].sort())
  const failed = seen.find((c) => c.taskId === bad.taskId)!
  assert.equal(failed.status, 'failed')
  assert.equal(failed.exitCode, 2)
  assert.match(failed.outputPreview, /Error: broken thing/)
  assert.equal(failed.outputTruncated, false)
  assert.deepEqual(await tm.takeCompletions(), [])
})

test('takeCompletions hands out owed completions exactly once', async (t) => {
  const tm = await (await useTestStore(t)).open()
  const a = await tm.spawn({ command: 'exit 0' })
  const b = await tm.spawn({ command: 'exit 3' })
  await tm.wait([a.taskId, b.taskId])
  const first = await tm.takeCompletions()
  assert.deepEqual(first.map((c) => c.taskId).sort(), [a.taskId, b.taskId].sort())
  assert.deepEqual(await tm.takeCompletions(), [])
  const record = await tm.status(a.taskId)
  assert.equal(record.delivered, true)
})

test("list shows this owner's tasks; the project, or every project, when asked; any task of the project is found by id", async (t) => {
  const store = await useTestStore(t)
  const otherProject = fs.mkdtempSync(path.join(store.scratch, 'other-'))
  const mine = await store.open({ sessionId: 'mine' })
  const theirs = await store.open({ sessionId: 'theirs' })
  const elsewhere = await store.open({ sessionId: 'mine', projectRoot: otherProject })
  const a = await mine.spawn({ command: 'true' })
  const b = await theirs.spawn({ command: 'true' })
  const c = await elsewhere.spawn({ command: 'true' })
  await mine.wait([a.taskId, b.taskId])
  await elsewhere.wait([c.taskId])
  const ids = async (records: Promise<{ taskId: string }[]>) => (await records).map((r) => r.taskId).sort()
  assert.deepEqual(await ids(mine.list()), [a.taskId])
  assert.deepEqual(await ids(mine.list({ scope: 'project' })), [a.taskId, b.taskId].sort())
  assert.deepEqual(await ids(mine.list({ scope: 'all' })), [a.taskId, b.taskId, c.taskId].sort())
  assert.deepEqual(await ids(mine.list({ allSessions: true })), [a.taskId, b.taskId, c.taskId].sort())
  // Visibility is the project: another owner's task is found by id without asking for more.
  assert.equal((await mine.status(b.taskId)).sessionId, 'theirs')
  // Another project's task is not, unless every project is asked for.
  await assert.rejects(mine.status(c.taskId), { code: 'task_not_found' })
  assert.equal(
    (await mine.status(c.taskId, { allSessions: true })).projectRoot,
    fs.realpathSync(otherProject),
  )
  assert.deepEqual((await mine.list({ status: 'failed' })).length, 0)
})

test('when the shell exits but a child lives on, the record lists the leftover process', async (t) => {
  const tm = await (await useTestStore(t)).open()
  const { taskId } = await tm.spawn({ command: 'sleep 30 & echo "LEFT $!"' })
  const [done] = await tm.wait([taskId])
  assert.equal(done!.status, 'completed')
  // The task ended from its code while the leftover holds the pipe; the relay copies on.
  const [, pid] = await waitForOutput(tm, taskId, /LEFT (\d+)/)
  // The scan for leftovers runs right after the completion, off its path.
  const record = await pollUntil(
    () => tm.status(taskId),
    (r) => r.leftoverProcesses !== undefined,
    { what: 'leftover processes on the record' },
  )
  assert.equal(record.leftoverProcesses!.length, 1)
  assert.equal(record.leftoverProcesses![0]!.pid, Number(pid))
  assert.match(record.leftoverProcesses![0]!.command, /sleep 30/)
})
