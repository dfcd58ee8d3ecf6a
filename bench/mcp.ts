import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { Client } from '@modelcontextprotocol/client'
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio'
import type { Row } from './engine.js'
import { ratioTo, type Summary, summarize } from './stats.js'

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'bin', 'bgbash.js')

interface Result {
  structuredContent?: { completions?: Array<{ task_id: string }>; task_id?: string }
}

/**
 * Over the real `bgbash mcp` binary and the SDK client: a background `bash` call → its reply, and
 * a task's exit → its completion seen on the next tool result (the client calls back to back).
 */
/** `spawnFloor`: a bare detached spawn() measured in the same run (bench/engine.ts), for the ratio. */
export async function benchMcp(runs: number, spawnFloor?: Summary): Promise<Row[]> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'bgbash-bench-mcp-'))
  const mark = path.join(home, 'mark')
  const transport = new StdioClientTransport({
    command: process.execPath,
    // Structured: the bench reads the task id and the completions as fields.
    args: [BIN, 'mcp', '--home', home, '--session', 'bench', '--structured'],
    stderr: 'ignore',
  })
  const client = new Client({ name: 'bgbash-bench', version: '1.0.0' })
  await client.connect(transport)
  const call = async (name: string, args: Record<string, unknown>) =>
    (await client.callTool({ name, arguments: args })) as unknown as Result
  const replyMs: number[] = []
  const seenMs: number[] = []
  try {
    for (let i = 0; i < runs + 3; i++) {
      const t0 = performance.now()
      const started = await call('bash', { command: `date +%s%N > ${mark}`, background: true })
      const elapsed = performance.now() - t0
      const taskId = started.structuredContent?.task_id
      let seenAt = 0
      for (let tries = 0; tries < 2000 && !seenAt; tries++) {
        const result = await call('bash_output', { task_id: taskId })
        if (result.structuredContent?.completions?.some((c) => c.task_id === taskId)) seenAt = Date.now()
      }
      if (i < 3) continue
      replyMs.push(elapsed)
      seenMs.push(seenAt - Number(fs.readFileSync(mark, 'utf8')) / 1e6)
    }
  } finally {
    await client.close()
    fs.rmSync(home, { recursive: true, force: true })
  }
  return [
    {
      name: 'MCP bash background:true call → reply',
      unit: 'ms',
      bgbash: summarize(replyMs),
      floor: spawnFloor,
      ratio: ratioTo(summarize(replyMs), spawnFloor),
      target: 'library spawn + JSON-RPC',
    },
    {
      name: 'MCP exit → completion on the next call',
      unit: 'ms',
      bgbash: summarize(seenMs),
      target: 'next call after the exit',
    },
  ]
}
