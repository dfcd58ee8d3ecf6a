import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'node:test'
import type { Completion } from '../../src/index.js'
import { useTestStore } from '../helpers/store.js'

test('two managers on one session end a task once and deliver its completion once', async (t) => {
  const store = await useTestStore(t)
  const a = await store.open()
  const b = await store.open()
  const seen: string[] = []
  const onCompletion = (who: string) => (completion: Completion) => seen.push(`${who}:${completion.taskId}`)
  a.on('completion', onCompletion('a'))
  b.on('completion', onCompletion('b'))
  const tasks = await Promise.all(
    Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).spawn({ command: `exit ${i}` })),
  )
  const ids = tasks.map((task) => task.taskId)
  const [fromA, fromB] = await Promise.all([a.wait(ids), b.wait(ids)])
  const strip = ({ delivered, ...rest }: { delivered: boolean }) => rest
  assert.deepEqual(fromA.map(strip), fromB.map(strip), 'both managers see the same terminal records')
  for (const [i, record] of fromA.entries()) assert.equal(record.exitCode, i)
  // Each completion went to exactly one listener.
  const delivered = seen.map((entry) => entry.slice(2)).sort()
  assert.deepEqual(delivered, [...ids].sort())
  assert.deepEqual([...(await a.takeCompletions()), ...(await b.takeCompletions())], [])
  for (const id of ids) {
    const dir = path.join(a.storeRoot, 'sessions', fs.readdirSync(path.join(a.storeRoot, 'sessions'))[0]!, id)
    assert.equal(fs.readdirSync(dir).filter((name) => name.startsWith('end')).length, 1)
  }
})

test('two managers racing to take completions split them with no duplicates', async (t) => {
  const store = await useTestStore(t)
  const a = await store.open()
  const b = await store.open()
  const tasks = await Promise.all(Array.from({ length: 20 }, () => a.spawn({ command: 'true' })))
  const ids = tasks.map((task) => task.taskId)
  await Promise.all([a.wait(ids), b.wait(ids)])
  const [takenA, takenB] = await Promise.all([a.takeCompletions(), b.takeCompletions()])
  const all = [...takenA, ...takenB].map((c) => c.taskId).sort()
  assert.deepEqual(all, [...ids].sort())
})
