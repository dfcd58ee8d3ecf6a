// Reading a Responses API request as Codex sends it: the tools the model may call (its `tools`,
// code mode's `additional_tools`, what tool searches loaded), and the tool results in `input`.

import type { Scenario } from '../scenario.js'

/** The MCP server's name in Codex's config: Codex puts its tools in the namespace `mcp__<name>`. */
export const MCP_SERVER_NAME = 'bgbash'
export const NAMESPACE = `mcp__${MCP_SERVER_NAME}`

export interface InputItem {
  type?: string
  call_id?: unknown
  name?: unknown
  namespace?: unknown
  output?: unknown
  tools?: unknown[]
  role?: string
  content?: unknown
}

export interface ResponsesRequest {
  input?: InputItem[]
  tools?: unknown[]
}

export function isFunctionCall(item: InputItem): boolean {
  return item.type === 'function_call' || item.type === 'custom_tool_call'
}

/** A request of the scenario's conversation: it carries the user's prompt. */
export function isScenarioRequest(body: ResponsesRequest, scenario: Scenario): boolean {
  return (body.input ?? []).some(
    (item) => item.role === 'user' && JSON.stringify(item.content ?? '').includes(scenario.prompt),
  )
}

export interface CallableTool {
  /** The name to call it by, and its namespace when it sits in one. */
  name: string
  namespace?: string
  /** Namespace and name as one string, for logs. */
  wireName: string
  /** bgbash's name for it, when it is one of bgbash's tools. */
  bgbashName?: string
  definition: unknown
}

/** bgbash's name for a tool Codex calls `mcp__bgbash__<name>`, or `<name>` in namespace `mcp__bgbash`. */
export function bgbashNameOf(tool: { name?: unknown; namespace?: unknown } | undefined): string | undefined {
  if (typeof tool?.name !== 'string') return undefined
  if (tool.namespace === NAMESPACE || tool.namespace === `${NAMESPACE}__`) return tool.name
  return tool.name.startsWith(`${NAMESPACE}__`) ? tool.name.slice(NAMESPACE.length + 2) : undefined
}

/** The tools the model may call now: the request's `tools` and those its tool searches loaded. */
export function callableTools(body: ResponsesRequest): CallableTool[] {
  const loaded = (body.input ?? []).filter(
    (item) => item.type === 'tool_search_output' || item.type === 'additional_tools',
  )
  const definitions = [...(body.tools ?? []), ...loaded.flatMap((item) => item.tools ?? [])]
  return definitions.flatMap((definition) => flattenTool(definition as ToolDefinition))
}

/** bgbash's tool definitions the model reads in a request: in `tools`, or loaded by a tool search. */
export function readBgbashDefinitions(body: ResponsesRequest): unknown[] {
  return callableTools(body)
    .filter((tool) => tool.bgbashName)
    .map((tool) => tool.definition)
}

interface ToolDefinition {
  type?: string
  name?: string
  tools?: ToolDefinition[]
}

function flattenTool(definition: ToolDefinition, namespace?: string): CallableTool[] {
  if (definition.type === 'namespace')
    return (definition.tools ?? []).flatMap((tool) => flattenTool(tool, definition.name))
  if (typeof definition.name !== 'string') return []
  const { name } = definition
  const wireName = namespace ? `${namespace}.${name}` : name
  return [{ name, namespace, wireName, bgbashName: bgbashNameOf({ name, namespace }), definition }]
}

/**
 * In code mode the model is given no definition of a deferred tool, only its namespace's line in
 * the developer message ("Deferred tool namespaces:\n- mcp__bgbash: <first line of instructions>").
 */
export function deferredNamespaceLines(input: InputItem[]): string[] {
  const texts = input
    .filter((item) => item.role === 'developer' && Array.isArray(item.content))
    .flatMap((item) => (item.content as Array<{ text?: unknown }>).map((part) => part.text))
    .filter((text): text is string => typeof text === 'string')
  return texts.flatMap((text) => text.split('\n')).filter((line) => line.startsWith(`- ${NAMESPACE}:`))
}

/** A tool result as forwarded: the output string, or its content parts' text joined by "\n". */
export function readOutput(item: InputItem): { text: string; isError: boolean } {
  const { output } = item
  if (typeof output === 'string') return { text: output, isError: false }
  if (Array.isArray(output)) {
    const parts = output.map((part: { text?: unknown }) =>
      typeof part.text === 'string' ? part.text : JSON.stringify(part),
    )
    return { text: parts.join('\n'), isError: false }
  }
  return { text: JSON.stringify(output), isError: false }
}
