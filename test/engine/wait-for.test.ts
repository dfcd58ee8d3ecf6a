import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import { taskDirOf, useTestStore } from '../helpers/store.js'

test('waitFor returns when a pattern appears, with its line and context', async (t) => {
  const tm = await (await useTestStore(t)).open()
  const { taskId } = await tm.spawn({
    command: 'echo booting; echo "compiling 3 files"; echo "Listening on port 4321"; sleep 30',
    stdin: true,
  })
  const result = await tm.waitFor([taskId], { until: /Listening on port (\d+)/, timeoutMs: 10_000 })
  assert.equal(result.reason, 'match')
  assert.equal(result.taskId, taskId)
  assert.equal(result.match!.text, 'Listening on port 4321')
  assert.equal(result.match!.line, 'Listening on port 4321')
  assert.match(result.match!.context, /compiling 3 files\nListening on port 4321/)
  assert.equal(result.match!.offset, Buffer.byteLength('booting\ncompiling 3 files\n'))
  assert.equal(result.records[0]!.status, 'running')
})

test('waitFor finds a pattern split across two writes', async (t) => {
  const tm = await (await useTestStore(t)).open()
  const { taskId } = await tm.spawn({ command: 'cat', stdin: true })
  const waiting = tm.waitFor([taskId], { until: /READY now/, timeoutMs: 10_000 })
  await tm.write(taskId, 'almost REA')
  await tm.write(taskId, 'DY now\n')
  const result = await waiting
  assert.equal(result.reason, 'match')
  assert.equal(result.match!.line, 'almost READY now')
})

test('waitFor stops on the failure pattern, on exit, and on timeout, and says which', async (t) => {
  const tm = await (await useTestStore(t)).open()
  const failing = await tm.spawn({ command: 'echo start; echo "Error: port in use"; sleep 30' })
  const failed = await tm.waitFor([failing.taskId], { until: /ready/, failOn: /Error:/, timeoutMs: 10_000 })
  assert.equal(failed.reason, 'fail_match')
  assert.equal(failed.match!.line, 'Error: port in use')

  const exiting = await tm.spawn({ command: 'echo nothing to see; exit 3' })
  const exited = await tm.waitFor([exiting.taskId], { until: /ready/, timeoutMs: 10_000 })
  assert.equal(exited.reason, 'exit')
  assert.equal(exited.records[0]!.exitCode, 3)

  const quiet = await tm.spawn({ command: 'sleep 30' })
  const timedOut = await tm.waitFor([quiet.taskId], { until: /never/, timeoutMs: 50 })
  assert.equal(timedOut.reason, 'timeout')
  assert.equal(timedOut.records[0]!.status, 'running')
})

test('waitFor until exit with any returns when the first task ends', async (t) => {
  const tm = await (await useTestStore(t)).open()
  const slow = await tm.spawn({ command: 'sleep 30' })
  const fast = await tm.spawn({ command: 'exit 0' })
  const result = await tm.waitFor([slow.taskId, fast.taskId], { any: true, timeoutMs: 10_000 })
  assert.equal(result.reason, 'exit')
  assert.equal(result.taskId, fast.taskId)
})

test('waitFor reports the byte offset of the matching line in the log, after bytes that are not UTF-8', async (t) => {
  const tm = await (await useTestStore(t)).open()
  // Each invalid byte decodes to U+FFFD, three bytes: offsets counted on the text drift by two a byte.
  const { taskId } = await tm.spawn({
    command: "printf '\\377\\376ab\\nx\\377y\\nREADY\\nrest\\n'; sleep 30",
  })
  const result = await tm.waitFor([taskId], { until: /READY/, timeoutMs: 10_000 })
  assert.equal(result.reason, 'match')
  const log = fs.readFileSync(path.join(taskDirOf(tm.storeRoot, taskId), 'output.log'))
  assert.equal(result.match!.offset, log.indexOf('READY'))
  assert.equal(result.match!.line, 'READY')
  assert.match(result.match!.context, /^\uFFFD\uFFFDab\nx\uFFFDy\nREADY\n/)
})
