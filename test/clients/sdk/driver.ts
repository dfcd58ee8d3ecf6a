import { Client } from '@modelcontextprotocol/client'
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio'
import { BGBASH_BIN } from '../install.js'
import type { Driver, SeenResult } from '../scenario.js'

/**
 * The scenario over the SDK client, no harness: the reference the harness drivers are compared
 * with. A result is seen as a client that forwards text blocks sees it (structuredContent, when
 * the server sends it, as its JSON instead: what Codex and Claude Code forward).
 */
export function sdkDriver(serverArgs: string[] = []): Driver {
  return async ({ scenario, home, cwd, signal }) => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [BGBASH_BIN, 'mcp', '--home', home, ...serverArgs],
      cwd,
      stderr: 'pipe',
    })
    const client = new Client({ name: 'bgbash-scenario', version: '1.0.0' })
    await client.connect(transport)
    const stop = () => void client.close()
    signal?.addEventListener('abort', stop)
    const seen: SeenResult[] = []
    try {
      const { tools } = await client.listTools()
      for (const step of scenario.steps) {
        await step.before?.(seen)
        const call = step.call(seen)
        if (!call) continue
        if (call.native) throw new Error(`step ${step.name}: the SDK client has no native tool ${call.tool}`)
        const result = await client.callTool({ name: call.tool, arguments: call.args })
        const text = result.structuredContent
          ? JSON.stringify(result.structuredContent)
          : (result.content as Array<{ type: string; text?: string }>)
              .filter((block) => block.type === 'text')
              .map((block) => block.text)
              .join('\n')
        seen.push({ step: step.name, tool: call.tool, text, isError: result.isError === true })
      }
      const toolDefinitions = tools.map(({ name, description, inputSchema }) => ({
        name,
        description,
        input_schema: inputSchema,
      }))
      return { seen, requests: [], toolDefinitions, exitCode: 0, log: '' }
    } finally {
      signal?.removeEventListener('abort', stop)
      await client.close()
    }
  }
}
