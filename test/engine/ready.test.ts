import assert from 'node:assert/strict'
import net from 'node:net'
import { test } from 'node:test'
import { snapshotTree, useTestStore } from '../helpers/store.js'

/** A TCP port nothing listens on right now (the OS picks it; it is released at once). */
async function findFreePort(): Promise<number> {
  const server = net.createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as net.AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}

/** A node one-liner serving HTTP on a port: 503 until `readyAfter` requests, then 200. */
function httpServer(port: number, readyAfter: number): string {
  const script = `let n=0;require('http').createServer((q,s)=>{s.statusCode=++n>${readyAfter}?200:503;s.end('x')}).listen(${port},'127.0.0.1',()=>console.log('listening'))`
  return `exec node -e "${script}"`
}

test('readyWhen pattern: returns when the line appears (colours do not hide it), the task running', async (t) => {
  const store = await useTestStore(t)
  const tm = await store.open()
  const task = await tm.spawn({
    command: `echo compiling; sleep 0.1; printf '\\033[32mready\\033[39m in 42 ms\\nmore\\n'; exec sleep 30`,
    readyWhen: { pattern: /ready in \d+ ms/ },
  })
  assert.equal(task.ready?.reason, 'ready')
  assert.equal(task.ready?.match?.line, 'ready in 42 ms')
  assert.equal(task.ready?.match?.text, 'ready in 42 ms')
  assert.equal(task.status, 'running')
  assert.ok((task.ready?.waitedMs ?? 0) >= 100, `waited ${task.ready?.waitedMs} ms`)
})

test('readyWhen port: returns once the port accepts connections', async (t) => {
  const store = await useTestStore(t)
  const tm = await store.open()
  const port = await findFreePort()
  const task = await tm.spawn({
    command: `sleep 0.2; exec node -e "require('net').createServer(s=>s.end()).listen(${port},'127.0.0.1')"`,
    readyWhen: { port },
  })
  assert.equal(task.ready?.reason, 'ready')
  assert.equal(task.ready?.detail, `port ${port} accepts connections`)
  assert.equal(task.status, 'running')
  const socket = net.connect(port, '127.0.0.1')
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject))
  socket.destroy()
})

test('readyWhen url: returns once the URL answers below 500 (a 503 is not ready)', async (t) => {
  const store = await useTestStore(t)
  const tm = await store.open()
  const port = await findFreePort()
  const task = await tm.spawn({
    command: httpServer(port, 2),
    readyWhen: { url: `http://127.0.0.1:${port}/health` },
  })
  assert.equal(task.ready?.reason, 'ready')
  assert.equal(task.ready?.detail, `GET http://127.0.0.1:${port}/health → 200`)
  assert.equal(task.status, 'running')
})

test('readyWhen: a task that exits first, prints failOn, or is too slow says so and keeps its own status', async (t) => {
  const store = await useTestStore(t)
  const tm = await store.open()
  const port = await findFreePort()

  const exited = await tm.spawn({ command: 'echo "cannot start"; exit 3', readyWhen: { port } })
  assert.equal(exited.ready?.reason, 'exit')
  assert.equal(exited.status, 'failed')
  assert.equal(exited.exitCode, 3)

  const failed = await tm.spawn({
    command: 'echo "Error: listen EADDRINUSE :::3000"; exec sleep 30',
    readyWhen: { pattern: /listening/ },
    failOn: /EADDRINUSE/,
  })
  assert.equal(failed.ready?.reason, 'fail_match')
  assert.match(failed.ready?.match?.line ?? '', /EADDRINUSE/)
  assert.equal(failed.status, 'running', 'what to do about it is the caller’s choice')

  const slow = await tm.spawn({
    command: 'exec sleep 30',
    readyWhen: { url: `http://127.0.0.1:${port}/` },
    readyTimeoutMs: 300,
  })
  assert.equal(slow.ready?.reason, 'timeout')
  assert.ok((slow.ready?.waitedMs ?? 0) >= 300)
  assert.equal(slow.status, 'running')
})

test('readyWhen: bad options and a port already taken are refused before anything starts', async (t) => {
  const store = await useTestStore(t)
  const tm = await store.open()
  const taken = net.createServer()
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve))
  t.after(() => taken.close())
  const port = (taken.address() as net.AddressInfo).port
  const before = snapshotTree(store.home)
  const cases: Array<Record<string, unknown>> = [
    { readyWhen: { port } },
    { readyWhen: { port: 0 } },
    { readyWhen: { port: 80, url: 'http://x' } },
    { readyWhen: { pattern: 'ready' } },
    { readyWhen: { url: 'ftp://example.com' } },
    { readyWhen: { socket: '/tmp/x' } },
    { failOn: /x/ },
    { readyWhen: { pattern: /x/ }, readyTimeoutMs: -1 },
    { readyWhen: { pattern: /x/ }, failOn: 'x' },
  ]
  for (const extra of cases) {
    await assert.rejects(
      tm.spawn({ command: 'sleep 30', ...extra }),
      (error: { code?: string; message?: string }) => {
        assert.equal(error.code, 'invalid_request', JSON.stringify(extra))
        return true
      },
    )
  }
  assert.deepEqual(snapshotTree(store.home), before, 'nothing was written')
  assert.deepEqual(await tm.list(), [])
})
