// Which JSON-schema keywords a harness dropped from (or added to) bgbash's input schemas on the way
// to the model: compare the schemas bgbash lists with the parameters the model received.

import { Client } from '@modelcontextprotocol/client'
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio'
import { BGBASH_BIN } from '../install.js'

/** Subschema positions whose value is one schema, a list of schemas, or a map of schemas. */
const ONE = ['items', 'additionalProperties', 'not', 'contains', 'propertyNames', 'unevaluatedProperties']
const MANY = ['anyOf', 'oneOf', 'allOf', 'prefixItems']
const MAP = ['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas']

/** Every keyword used anywhere in a schema, with how often. */
export function countKeywords(schema: unknown, counts = new Map<string, number>()): Map<string, number> {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) return counts
  const node = schema as Record<string, unknown>
  for (const [keyword, value] of Object.entries(node)) {
    counts.set(keyword, (counts.get(keyword) ?? 0) + 1)
    if (ONE.includes(keyword)) countKeywords(value, counts)
    else if (MANY.includes(keyword) && Array.isArray(value))
      for (const sub of value) countKeywords(sub, counts)
    else if (MAP.includes(keyword) && typeof value === 'object' && value !== null)
      for (const sub of Object.values(value)) countKeywords(sub, counts)
  }
  return counts
}

export interface KeywordDiff {
  /** Keyword → how many uses bgbash's schemas had and the model's parameters lacked. */
  dropped: Record<string, number>
  /** Keyword → how many uses the model's parameters had beyond bgbash's schemas. */
  added: Record<string, number>
}

export function diffKeywords(listed: unknown[], received: unknown[]): KeywordDiff {
  const before = new Map<string, number>()
  const after = new Map<string, number>()
  for (const schema of listed) countKeywords(schema, before)
  for (const schema of received) countKeywords(schema, after)
  const dropped: Record<string, number> = {}
  const added: Record<string, number> = {}
  for (const keyword of new Set([...before.keys(), ...after.keys()])) {
    const delta = (before.get(keyword) ?? 0) - (after.get(keyword) ?? 0)
    if (delta > 0) dropped[keyword] = delta
    if (delta < 0) added[keyword] = -delta
  }
  return { dropped, added }
}

/** bgbash's tools as its MCP server lists them (a short-lived `bgbash mcp` on the given store). */
export async function listBgbashTools(
  home: string,
): Promise<Array<{ name: string; description?: string; inputSchema: unknown }>> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [BGBASH_BIN, 'mcp', '--home', home],
    stderr: 'ignore',
  })
  const client = new Client({ name: 'bgbash-schema-diff', version: '0' })
  await client.connect(transport)
  try {
    return (await client.listTools()).tools
  } finally {
    const { pid } = transport
    await client.close()
    // close() ends stdin and the server exits on it; make sure, since nothing else will.
    if (pid) killIfAlive(pid)
  }
}

function killIfAlive(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL')
  } catch {
    // ESRCH: it exited when its stdin closed, as it should.
  }
}
