import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { taskDirOf, useTestStore } from '../../helpers/store.js'
import { pollUntil } from '../../helpers/wait.js'
import { McpProcess, mainText } from './harness.js'

test('a server killed with SIGKILL and restarted delivers, on its first call, the completion of a task that ended meanwhile', async (t) => {
  const store = await useTestStore(t)
  const goA = path.join(store.scratch, 'go-a')
  const goB = path.join(store.scratch, 'go-b')
  const first = await McpProcess.start(t, { home: store.home, session: 'restart-session' })
  const a = await first.call('bash', {
    command: `while [ ! -e '${goA}' ]; do sleep 0.02; done; echo 'A finished while nobody watched'`,
    background: true,
  })
  const b = await first.call('bash', {
    command: `while [ ! -e '${goB}' ]; do sleep 0.02; done; echo 'B outlived two servers'`,
    background: true,
  })
  const idA = a.structuredContent!.task_id as string
  const idB = b.structuredContent!.task_id as string
  await first.kill()

  fs.writeFileSync(goA, '')
  // With no server alive, only the task's own wrapper records its end: wait for that file.
  await pollUntil(
    () => fs.existsSync(path.join(taskDirOf(store.home, idA), 'exit')),
    (exited) => exited,
    { what: `${idA} to exit` },
  )

  const second = await McpProcess.start(t, { home: store.home, session: 'restart-session' })
  const list = await second.call('bash_list')
  const completions = list.structuredContent!.completions
  assert.deepEqual(
    completions.map((c: { task_id: string }) => c.task_id),
    [idA],
  )
  assert.equal(completions[0].status, 'completed')
  assert.match(completions[0].output_preview, /A finished while nobody watched/)
  assert.match(
    mainText(list),
    new RegExp(`${idB} +running`),
    'the restarted server re-adopted the running task',
  )

  const again = await second.call('bash_list')
  assert.deepEqual(again.structuredContent!.completions, [], 'delivered once')

  fs.writeFileSync(goB, '')
  const waited = await second.call('bash_wait', { task_ids: [idB] })
  assert.equal(waited.structuredContent!.tasks[0].status, 'completed')
  assert.equal(waited.structuredContent!.completions[0].task_id, idB)
  await second.close()
})

test('without a session each server is its own owner; the next server its client starts in the project lists the tasks of the one before', async (t) => {
  const store = await useTestStore(t)
  const project = fs.realpathSync(store.scratch)
  const first = await McpProcess.start(t, { home: store.home, cwd: project, session: null })
  const started = await first.call('bash', { command: 'pwd', wait_ms: 10_000 })
  assert.equal(started.structuredContent!.output, project)
  const status = await first.call('bash_output', { task_id: started.structuredContent!.task_id })
  assert.match(status.structuredContent!.task.session_id, new RegExp(`^process:${first.pid}:`))
  await first.close()

  const second = await McpProcess.start(t, { home: store.home, cwd: project, session: null })
  const list = await second.call('bash_list', { status: 'completed' })
  assert.equal(list.structuredContent!.tasks[0].task_id, started.structuredContent!.task_id)
})
