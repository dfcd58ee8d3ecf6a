import assert from 'node:assert/strict'
import { test } from 'node:test'
import { useTestStore } from '../helpers/store.js'

test('capturePipelineStatus: each stage’s exit code of a one-pipeline command, its own exit code kept', async (t) => {
  const store = await useTestStore(t)
  const tm = await store.open({ capturePipelineStatus: true })
  const cases: Array<[string, number, number[] | undefined]> = [
    ['false | tail -1', 0, [1, 0]],
    ['true | false', 1, [0, 1]],
    ["sh -c 'exit 3' | cat | cat", 0, [3, 0, 0]],
    ['false | tail -1; true', 0, undefined],
    ['false', 1, undefined],
  ]
  for (const [command, exitCode, stages] of cases) {
    const started = await tm.spawn({ command, shell: 'bash' })
    const [ended] = await tm.wait([started.taskId])
    assert.equal(ended!.exitCode, exitCode, command)
    assert.equal(ended!.command, command, 'the record keeps the command as given')
    assert.deepEqual(ended!.pipelineStatus, stages, command)
  }
})

test('without capturePipelineStatus the command runs as given and nothing is recorded', async (t) => {
  const store = await useTestStore(t)
  const tm = await store.open()
  const started = await tm.spawn({ command: 'false | tail -1', shell: 'bash' })
  const [ended] = await tm.wait([started.taskId])
  assert.equal(ended!.exitCode, 0)
  assert.equal(ended!.pipelineStatus, undefined)
})
