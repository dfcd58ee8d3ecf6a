import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import type { OutputWatchEvent } from '../../src/index.js'
import { taskDirOf, useTestStore } from '../helpers/store.js'

test('an output watch reports each match at its byte offset in the log, after bytes that are not UTF-8', async (t) => {
  const tm = await (await useTestStore(t)).open()
  const { taskId } = await tm.spawn({ command: 'cat', stdin: true })
  const events: OutputWatchEvent[] = []
  let onEvent: () => void = () => {}
  tm.watchOutput(taskId, /^PING \d$/, { once: false }, (event) => {
    events.push(event)
    onEvent()
  })
  const seen = (count: number) =>
    new Promise<void>((resolve) => {
      onEvent = () => events.length >= count && resolve()
      onEvent()
    })
  await tm.write(taskId, Buffer.from('\xff\xfe\r\nPING 1\n', 'latin1'))
  await seen(1)
  // A line ending CR LF, an invalid byte cut from its line by the write boundary.
  await tm.write(taskId, Buffer.from('x\xff', 'latin1'))
  await tm.write(taskId, Buffer.from('\xffy\nPING 2\r\n', 'latin1'), { eof: true })
  // The watch's last scan comes before the task's waiters hear of its end.
  await tm.wait([taskId])
  const log = fs.readFileSync(path.join(taskDirOf(tm.storeRoot, taskId), 'output.log'))
  assert.deepEqual(
    events.map((event) => [event.reason, event.match?.line, event.match?.offset]),
    [
      ['pattern_match', 'PING 1', log.indexOf('PING 1')],
      ['pattern_match', 'PING 2', log.indexOf('PING 2')],
    ],
  )
})
