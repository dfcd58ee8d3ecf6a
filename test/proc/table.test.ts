import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import fs from 'node:fs'
import { test } from 'node:test'
import { listPids, readProcStat } from '../../src/proc/procfs.js'
import { ProcessTable, readCounters } from '../../src/proc/table.js'

/** Pids of live processes (not threads) the table holds as current after a look. */
function currentPids(table: ProcessTable, look: number): Set<number> {
  const out = new Set<number>()
  for (const stat of table.stats()) if (table.current(stat, look)) out.add(stat.pid)
  return out
}

function sleeper(): ReturnType<typeof spawn> {
  return spawn('sleep', ['60'], { stdio: 'ignore' })
}

test('a look reads only the pids handed out since the last one, and finds every process that /proc lists', async (t) => {
  const reads: string[] = []
  const table = new ProcessTable({
    counters: () => {
      reads.push('counters')
      return readCounters()
    },
  })
  table.refresh()
  const children = [sleeper(), sleeper(), sleeper()]
  t.after(() => {
    for (const child of children) child.kill('SIGKILL')
  })
  await Promise.all(children.map((child) => once(child, 'spawn')))
  const look = table.refresh()
  const known = currentPids(table, look)
  for (const child of children) assert.ok(known.has(child.pid!), `sleep ${child.pid} is in the table`)
  // Everything /proc lists now that was there when the look began is in the table.
  const listed = listPids().filter((pid) => readProcStat(pid) !== undefined)
  const missing = listed.filter((pid) => !known.has(pid) && pid < children[0]!.pid!)
  assert.deepEqual(missing, [], 'no process older than the look is missing')
  // No thread is taken for a process: this process's other threads are not in the table.
  const threads = fs
    .readdirSync('/proc/self/task')
    .map(Number)
    .filter((tid) => tid !== process.pid)
  assert.ok(threads.length > 0, 'node runs threads')
  for (const tid of threads) assert.ok(!known.has(tid), `thread ${tid} is not a process`)
  assert.equal(reads.length, 2)
})

test('a process that exits is not current, and a reused pid is not the process recorded', async () => {
  const table = new ProcessTable()
  const child = sleeper()
  await once(child, 'spawn')
  let look = table.refresh()
  const stat = table.stats().find((s) => s.pid === child.pid)
  assert.ok(stat, 'the sleeper is in the table')
  assert.equal(table.current(stat, look)?.startTime, stat.startTime)
  child.kill('SIGKILL')
  await once(child, 'exit')
  look = table.refresh()
  assert.equal(table.current(stat, look), undefined, 'gone once it has exited')
  assert.equal(
    table.current({ ...stat, pid: process.pid }, look),
    undefined,
    'another process by that pid is not it',
  )
})

test('when pid numbers may have come round, a look lists every process again', async () => {
  let lapped = false
  const table = new ProcessTable({
    counters: () => {
      const real = readCounters()!
      // So many forks that the allocator may have gone round.
      return lapped ? { ...real, forks: real.forks + 10_000_000 } : real
    },
  })
  const child = sleeper()
  await once(child, 'spawn')
  table.refresh()
  child.kill('SIGKILL')
  await once(child, 'exit')
  // A look that reads only new pids keeps the exited sleeper as it was last read ...
  table.refresh()
  assert.ok(
    table.stats().some((stat) => stat.pid === child.pid),
    'kept as last read',
  )
  // ... a look after a possible lap reads every process again, and it is gone.
  lapped = true
  table.refresh()
  assert.ok(!table.stats().some((stat) => stat.pid === child.pid), 'read afresh')
  // Where /proc does not say where pid numbers stand, every look lists every process.
  const blind = new ProcessTable({ counters: () => undefined })
  blind.refresh()
  const listed = new Set(listPids())
  assert.ok(blind.size > 0 && blind.stats().every((stat) => listed.has(stat.pid)))
})
