import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { BgbashError } from '../../src/index.js'
import { snapshotTree, taskDirOf, useTestStore } from '../helpers/store.js'
import { pollUntil } from '../helpers/wait.js'

test('bad input is a typed error and leaves the store unchanged', async (t) => {
  const store = await useTestStore(t)
  const tm = await store.open({ maxRunning: 2 })
  const running = await tm.spawn({ command: 'sleep 30', description: 'first sleeper' })
  const second = await tm.spawn({ command: 'sleep 31' })
  // The wrappers open their own log and exit records just after they start.
  for (const { taskId } of [running, second]) {
    await pollUntil(
      () => fs.existsSync(path.join(taskDirOf(store.home, taskId), 'exit')),
      (found) => found,
      { what: `${taskId} to open its records` },
    )
  }
  const before = snapshotTree(store.home)
  const cases: Array<[string, () => Promise<unknown>, string, RegExp?]> = [
    [
      'blocked env var',
      () => tm.spawn({ command: 'true', env: { LD_PRELOAD: '/x.so' } }),
      'blocked_env_var',
      /LD_PRELOAD/,
    ],
    [
      'blocked DYLD var',
      () => tm.spawn({ command: 'true', env: { DYLD_INSERT_LIBRARIES: 'x' } }),
      'blocked_env_var',
    ],
    ['PATH override', () => tm.spawn({ command: 'true', env: { PATH: '/tmp' } }), 'blocked_env_var'],
    ['path trick id', () => tm.status('../x'), 'invalid_request', /Invalid task id/],
    ['malformed id', () => tm.status('bgb-zz'), 'invalid_request'],
    ['id with traversal', () => tm.read('bgb-00000000/../../x'), 'invalid_request'],
    ['unknown id', () => tm.status('bgb-00000000'), 'task_not_found', /Task not found: bgb-00000000/],
    ['empty command', () => tm.spawn({ command: '' }), 'invalid_request'],
    ['blank command', () => tm.spawn({ command: '   ' }), 'invalid_request'],
    ['negative timeout', () => tm.spawn({ command: 'true', timeoutMs: -5 }), 'invalid_request'],
    ['fractional timeout', () => tm.spawn({ command: 'true', timeoutMs: 1.5 }), 'invalid_request'],
    ['huge timeout', () => tm.spawn({ command: 'true', timeoutMs: 8 * 24 * 3600 * 1000 }), 'invalid_request'],
    ['bad env name', () => tm.spawn({ command: 'true', env: { 'A=B': 'x' } }), 'invalid_request'],
    ['non-string env', () => tm.spawn({ command: 'true', env: { A: 1 as never } }), 'invalid_request'],
    [
      'env value over what exec passes',
      () => tm.spawn({ command: 'true', env: { BIG: 'x'.repeat(128 * 1024) } }),
      'invalid_request',
      /BIG.*131077 bytes/,
    ],
    ['missing cwd', () => tm.spawn({ command: 'true', cwd: '/nonexistent/dir' }), 'cwd_not_found'],
    ['file as cwd', () => tm.spawn({ command: 'true', cwd: '/etc/hostname' }), 'cwd_not_found'],
    ['unknown option', () => tm.spawn({ command: 'true', colour: 'red' } as never), 'invalid_request'],
    ['bad read offset', () => tm.read(running.taskId, { offset: -1 }), 'invalid_request'],
    ['over the limit', () => tm.spawn({ command: 'true' }), 'limit_exceeded', /first|sleep 30/],
    ['wait on nothing', () => tm.wait([]), 'invalid_request'],
    ['tiny disk cap', () => store.open({ outputCapBytes: 1000 }), 'invalid_request', /at least 65536/],
    ['negative disk cap', () => store.open({ outputCapBytes: -1 }), 'invalid_request'],
  ]
  for (const [what, call, code, message] of cases) {
    await assert.rejects(call(), (error: unknown) => {
      assert.ok(error instanceof BgbashError, `${what}: a BgbashError`)
      assert.equal(error.code, code, `${what}: code`)
      if (message) assert.match(error.message, message, `${what}: message`)
      return true
    })
  }
  const limit = await tm.spawn({ command: 'true' }).catch((error: BgbashError) => error)
  assert.match((limit as BgbashError).message, new RegExp(running.taskId))
  assert.deepEqual(snapshotTree(store.home), before)
})
