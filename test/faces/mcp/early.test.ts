import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import readline from 'node:readline'
import { test } from 'node:test'
import { InMemoryTransport, SUPPORTED_PROTOCOL_VERSIONS } from '@modelcontextprotocol/server'
import { INITIALIZE_PROTOCOL_VERSIONS, initializeResult } from '../../../src/faces/mcp/identity.js'
import { createServer } from '../../../src/faces/mcp/server.js'
import { McpState } from '../../../src/faces/mcp/state.js'
import { useTestStore } from '../../helpers/store.js'
import { BIN } from './harness.js'

const initialize = (id: number, protocolVersion: string) => ({
  jsonrpc: '2.0' as const,
  id,
  method: 'initialize',
  params: { protocolVersion, capabilities: {}, clientInfo: { name: 'early-test', version: '1' } },
})

test("the early answer to initialize is the SDK's own, whatever version the client asks for", async (t) => {
  const modern = SUPPORTED_PROTOCOL_VERSIONS.filter((version) => version >= '2026')
  assert.deepEqual(
    INITIALIZE_PROTOCOL_VERSIONS,
    SUPPORTED_PROTOCOL_VERSIONS.filter((version) => !modern.includes(version)),
  )
  const store = await useTestStore(t)
  const tm = await store.open()
  for (const asked of [...INITIALIZE_PROTOCOL_VERSIONS, '1999-01-01']) {
    const server = createServer(tm, { state: new McpState(tm), version: '9.9.9' })
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair()
    await server.connect(serverSide)
    const answered = new Promise<unknown>((resolve) => {
      clientSide.onmessage = (message) => resolve((message as { result?: unknown }).result)
    })
    await clientSide.start()
    await clientSide.send(initialize(1, asked))
    assert.deepEqual(await answered, initializeResult(asked, '9.9.9'), `asked for ${asked}`)
    await server.close()
  }
})

test('bgbash mcp answers initialize once, early, and serves what follows it in the same write', async (t) => {
  const store = await useTestStore(t)
  const child = spawn(process.execPath, [BIN, 'mcp', '--home', store.home], {
    cwd: store.scratch,
    stdio: ['pipe', 'pipe', 'inherit'],
  })
  t.after(() => child.kill('SIGKILL'))
  const lines = readline.createInterface({ input: child.stdout })
  const messages: Array<{ id?: number; result?: { tools?: unknown[]; protocolVersion?: string } }> = []
  const listed = new Promise<void>((resolve) => {
    lines.on('line', (line) => {
      messages.push(JSON.parse(line))
      if (messages.at(-1)?.id === 2) resolve()
    })
  })
  const requests = [
    initialize(1, '2025-06-18'),
    { jsonrpc: '2.0', method: 'notifications/initialized' },
    { jsonrpc: '2.0', id: 2, method: 'tools/list', params: {} },
  ]
  child.stdin.write(`${requests.map((request) => JSON.stringify(request)).join('\n')}\n`)
  await listed
  assert.deepEqual(
    messages.map((message) => message.id),
    [1, 2],
    'one answer to initialize, then the tools',
  )
  assert.equal(messages[0]!.result!.protocolVersion, '2025-06-18')
  assert.equal(messages[1]!.result!.tools!.length, 6)
  child.stdin.end()
  await once(child, 'exit')
})
