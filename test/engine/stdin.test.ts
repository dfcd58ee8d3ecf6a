import assert from 'node:assert/strict'
import { test } from 'node:test'
import { useTestStore } from '../helpers/store.js'

test('a task started with stdin reads what is written, across managers, until eof', async (t) => {
  const store = await useTestStore(t)
  const first = await store.open()
  const { taskId } = await first.spawn({
    command: 'while read -r line; do echo "got $line"; done; echo "input ended"',
    stdin: true,
  })
  assert.equal(await first.write(taskId, 'one\n'), 4)
  // Another manager (as after a restart) writes too, and ends the input.
  const second = await store.open()
  await second.write(taskId, 'two\nthree\n', { eof: true })
  const [done] = await second.wait([taskId])
  assert.equal(done!.status, 'completed')
  assert.equal((await second.read(taskId)).text, 'got one\ngot two\ngot three\ninput ended\n')
})

test('a command reading stdin does not see end of input between writes', async (t) => {
  const tm = await (await useTestStore(t)).open()
  const { taskId } = await tm.spawn({ command: 'cat', stdin: true })
  for (let i = 0; i < 5; i++) await tm.write(taskId, `line ${i}\n`)
  assert.equal((await tm.status(taskId)).status, 'running')
  await tm.write(taskId, '', { eof: true })
  const [done] = await tm.wait([taskId])
  assert.equal(done!.exitCode, 0)
  assert.equal((await tm.read(taskId)).text, 'line 0\nline 1\nline 2\nline 3\nline 4\n')
})

test('writing to a task without stdin, or one that ended, is a clear error', async (t) => {
  const tm = await (await useTestStore(t)).open()
  const plain = await tm.spawn({ command: 'sleep 30' })
  await assert.rejects(tm.write(plain.taskId, 'x'), { code: 'stdin_not_enabled' })
  const ended = await tm.spawn({ command: 'true', stdin: true })
  await tm.wait([ended.taskId])
  await assert.rejects(tm.write(ended.taskId, 'x'), { code: 'task_not_running' })
})
