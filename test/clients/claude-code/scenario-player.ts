// The fake model's mind: from each main-conversation request Claude Code sends, it reads the
// results of its earlier calls and decides the next turn of the Scenario.

import type { Scenario, SeenResult } from '../scenario.js'
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
  /** The step and bgbash tool of a scenario call; absent for ToolSearch and the final answer. */
  step?: string
  tool?: string
}

export class ScenarioPlayer {
  readonly seen: SeenResult[] = []
  toolDefinitions: unknown[] = []
  private readonly moves: Move[] = []
  private stepsIssued = 0
  private turns: Promise<unknown> = Promise.resolve()

  constructor(private readonly scenario: Scenario) {}

  /** A request of the main conversation: it carries the session's tools and the user's prompt. */
  isMainTurn(body: Record<string, unknown>): boolean {
    const names = toolsOf(body).map((tool) => tool.name)
    return (
      names.some((name) => name === TOOL_SEARCH || name.startsWith(PREFIX)) &&
      firstUserText(body).includes(this.scenario.prompt)
    )
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
    const deferred = this.deferredBgbashTools(body)
    if (deferred.length > 0) {
      const input = { query: `select:${deferred.join(',')}`, max_results: deferred.length }
      return { reply: { type: 'tool_use', id: '', name: TOOL_SEARCH, input } }
    }
    const step = this.scenario.steps[this.stepsIssued]
    if (!step) return { reply: { type: 'text', text: FINAL_ANSWER } }
    this.stepsIssued += 1
    await step.before?.(this.seen)
    const call = step.call(this.seen)
    const reply: Reply = { type: 'tool_use', id: '', name: harnessToolName(call.tool), input: call.args }
    return { reply, step: step.name, tool: call.tool }
  }

  private issue(move: Omit<Move, 'id'>): Reply {
    const id = `toolu_fake${String(this.moves.length + 1).padStart(4, '0')}`
    const reply: Reply = move.reply.type === 'tool_use' ? { ...move.reply, id } : move.reply
    this.moves.push({ ...move, id, reply })
    return reply
  }

  /**
   * bgbash tools Claude Code lists by name only (deferred), while none is callable yet and the
   * model has not searched: a real model loads them all with one ToolSearch before calling them.
   */
  private deferredBgbashTools(body: Record<string, unknown>): string[] {
    const tools = toolsOf(body)
    if (!tools.some((tool) => tool.name === TOOL_SEARCH)) return []
    if (this.moves.some((move) => move.reply.type === 'tool_use' && move.reply.name === TOOL_SEARCH))
      return []
    if (tools.some((tool) => tool.name.startsWith(PREFIX) && tool.defer_loading !== true)) return []
    const names = allText(body).match(new RegExp(`${PREFIX}\\w+`, 'g')) ?? []
    return [...new Set(names)]
  }

  private noteToolDefinitions(body: Record<string, unknown>): void {
    if (this.toolDefinitions.length > 0) return
    this.toolDefinitions = toolsOf(body).filter((tool) => tool.name.startsWith(PREFIX))
  }
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
