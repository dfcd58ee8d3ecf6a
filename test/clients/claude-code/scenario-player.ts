// The fake model's mind: from each main-conversation request Claude Code sends, it reads the
// results of its earlier calls and decides the next turn of the Scenario.

import type { Scenario, SeenResult, ToolCall } from '../scenario.js'
import { allText, type Reply, readToolResults } from './anthropic-wire.js'

/** The MCP server's name in the --mcp-config the driver writes. */
export const MCP_SERVER_NAME = 'bgbash'
const PREFIX = `mcp__${MCP_SERVER_NAME}__`
const TOOL_SEARCH = 'ToolSearch'

/** The name Claude Code gives a bgbash tool (`bash` → `mcp__bgbash__bash`). */
export function harnessToolName(tool: string): string {
  return `${PREFIX}${tool}`
}

/** The text the fake model answers with after the last step. */
export const FINAL_ANSWER = 'All checks ran.'

interface ToolDefinition {
  name: string
  defer_loading?: boolean
  [key: string]: unknown
}

interface Move {
  id: string
  reply: Reply
  /** The step and tool of a scenario call; absent for ToolSearch and the final answer. */
  step?: string
  tool?: string
}

export class ScenarioPlayer {
  readonly seen: SeenResult[] = []
  toolDefinitions: unknown[] = []
  private readonly moves: Move[] = []
  private stepsIssued = 0
  /** A step whose call waits for a ToolSearch to make its tool callable. */
  private pending: { step: string; call: ToolCall } | undefined
  /** Tools loaded by a ToolSearch so far. */
  private readonly searched = new Set<string>()
  private turns: Promise<unknown> = Promise.resolve()

  constructor(private readonly scenario: Scenario) {}

  /** A request of the main conversation: it carries the session's tools and the user's prompt. */
  isMainTurn(body: Record<string, unknown>): boolean {
    return isMainRequest(body, this.scenario.prompt)
  }

  /** The fake model's answer to a main-conversation request; turns are played one at a time. */
  playTurn(body: Record<string, unknown>): Promise<Reply> {
    const turn = this.turns.then(() => this.decide(body))
    this.turns = turn.catch(() => {})
    return turn
  }

  private async decide(body: Record<string, unknown>): Promise<Reply> {
    this.noteToolDefinitions(body)
    const results = readToolResults(body.messages)
    for (const move of this.moves) {
      const result = results.get(move.id)
      if (!result || !move.step || !move.tool || this.seen.some((seen) => seen.step === move.step)) continue
      this.seen.push({ step: move.step, tool: move.tool, text: result.text, isError: result.isError })
    }
    const last = this.moves.at(-1)
    // A request that does not answer the last call yet is the same turn asked again (a retry).
    if (last && (last.reply.type === 'text' || !results.has(last.id))) return last.reply
    return this.issue(await this.nextMove(body))
  }

  private async nextMove(body: Record<string, unknown>): Promise<Omit<Move, 'id'>> {
    while (!this.pending) {
      const step = this.scenario.steps[this.stepsIssued]
      if (!step) return { reply: { type: 'text', text: FINAL_ANSWER } }
      this.stepsIssued += 1
      await step.before?.(this.seen)
      const call = step.call(this.seen)
      if (call) this.pending = { step: step.name, call }
    }
    const query = this.searchFor(body, this.pending.call)
    if (query) {
      const input = { query: `select:${query.join(',')}`, max_results: query.length }
      return { reply: { type: 'tool_use', id: '', name: TOOL_SEARCH, input } }
    }
    const { step, call } = this.pending
    this.pending = undefined
    const name = call.native ? call.tool : harnessToolName(call.tool)
    return { reply: { type: 'tool_use', id: '', name, input: call.args }, step, tool: call.tool }
  }

  private issue(move: Omit<Move, 'id'>): Reply {
    const id = `toolu_fake${String(this.moves.length + 1).padStart(4, '0')}`
    const reply: Reply = move.reply.type === 'tool_use' ? { ...move.reply, id } : move.reply
    this.moves.push({ ...move, id, reply })
    return reply
  }

  /**
   * The tools to load with a ToolSearch before a call, as a real model told so by the list of
   * deferred tools does: every bgbash tool at once before the first bgbash call, or the one native
   * tool (`TaskStop`, `Monitor`) the call names. None when the tool is callable already.
   */
  private searchFor(body: Record<string, unknown>, call: ToolCall): string[] | undefined {
    const tools = toolsOf(body)
    if (!tools.some((tool) => tool.name === TOOL_SEARCH)) return undefined
    const name = call.native ? call.tool : harnessToolName(call.tool)
    const sent = tools.find((tool) => tool.name === name)
    if (sent && (sent.defer_loading !== true || this.searched.has(name))) return undefined
    // The deferred tools are named, one a line, in a system message.
    const text = allText(body)
    const wanted = call.native
      ? [name].filter((tool) => text.includes(`\\n${tool}\\n`))
      : [...new Set(text.match(new RegExp(`${PREFIX}\\w+`, 'g')) ?? [])]
    const query = wanted.filter((tool) => !this.searched.has(tool))
    if (query.length === 0) return undefined
    for (const tool of query) this.searched.add(tool)
    return query
  }

  private noteToolDefinitions(body: Record<string, unknown>): void {
    if (this.toolDefinitions.length > 0) return
    this.toolDefinitions = toolsOf(body).filter((tool) => tool.name.startsWith(PREFIX))
  }
}

/** A request of the main conversation (a model turn): it carries the session's tools and the prompt. */
export function isMainRequest(body: Record<string, unknown>, prompt: string): boolean {
  const names = toolsOf(body).map((tool) => tool.name)
  return (
    names.some((name) => name === TOOL_SEARCH || name.startsWith(PREFIX)) &&
    firstUserText(body).includes(prompt)
  )
}

/**
 * The tool definitions the model reads in a request beyond Claude Code's always-sent tools:
 * bgbash's, and deferred ones (bgbash's, or its own such as TaskStop) a ToolSearch has loaded (a
 * `tool_reference` to them in the messages). A deferred tool nobody loaded is only named, in the
 * system message listing deferred tools.
 */
export function readAddedDefinitions(body: Record<string, unknown>): unknown[] {
  const messages = JSON.stringify(body.messages ?? [])
  const isLoaded = (name: string) => messages.includes(`"type":"tool_reference","tool_name":"${name}"`)
  return toolsOf(body).filter((tool) =>
    tool.defer_loading === true ? isLoaded(tool.name) : tool.name.startsWith(PREFIX),
  )
}

/**
 * The task notifications in a request (a background `Bash` ended or was stopped): Claude Code sends
 * them as messages of their own, outside any tool result.
 */
export function readTaskNotifications(body: Record<string, unknown>): string[] {
  if (!Array.isArray(body.messages)) return []
  return (body.messages as { content?: unknown }[]).flatMap(({ content }) => {
    const texts =
      typeof content === 'string'
        ? [content]
        : Array.isArray(content)
          ? (content as { type?: string; text?: unknown }[])
              .filter((block) => block.type === 'text' && typeof block.text === 'string')
              .map((block) => block.text as string)
          : []
    return texts.filter((text) => text.includes('<task-notification>'))
  })
}

function toolsOf(body: Record<string, unknown>): ToolDefinition[] {
  return Array.isArray(body.tools) ? (body.tools as ToolDefinition[]).filter((tool) => tool?.name) : []
}

function firstUserText(body: Record<string, unknown>): string {
  const first = Array.isArray(body.messages)
    ? (body.messages as { role?: string; content?: unknown }[]).find((message) => message.role === 'user')
    : undefined
  if (typeof first?.content === 'string') return first.content
  if (!Array.isArray(first?.content)) return ''
  return (first.content as { text?: unknown }[]).map((block) => String(block.text ?? '')).join('\n')
}
