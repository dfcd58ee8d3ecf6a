// The Anthropic Messages wire format, both ways: the assistant turns a fake model sends (one JSON
// message, or the server-sent events of a streamed one) and the tool results it reads back.

import { randomUUID } from 'node:crypto'

/** One assistant turn: a single tool call, or a text answer that ends the turn. */
export type Reply =
  | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> }
  | { type: 'text'; text: string }

/** A tool result from a request's `messages`, with its content as the model reads it. */
export interface ToolResult {
  toolUseId: string
  /** Text blocks joined by "\n"; any other block as its JSON; a string content as is. */
  text: string
  isError: boolean
}

// The real API streams tool input in small pieces; a harness must join them, so the fake does too.
const JSON_CHUNK_CHARS = 40

/** The non-streamed response body for a reply. */
export function buildMessage(reply: Reply, model: string): Record<string, unknown> {
  return {
    ...messageHead(model),
    content: [reply.type === 'text' ? { type: 'text', text: reply.text } : { ...reply }],
    stop_reason: stopReasonOf(reply),
    usage: usage(Math.ceil(JSON.stringify(reply).length / 4)),
  }
}

/** The server-sent events of a streamed response for a reply, as the real API orders them. */
export function encodeSse(reply: Reply, model: string): string {
  const events: [string, Record<string, unknown>][] = [
    [
      'message_start',
      { message: { ...messageHead(model), content: [], stop_reason: null, usage: usage(1) } },
    ],
    ['ping', {}],
  ]
  if (reply.type === 'text') {
    events.push(['content_block_start', { index: 0, content_block: { type: 'text', text: '' } }])
    events.push(['content_block_delta', { index: 0, delta: { type: 'text_delta', text: reply.text } }])
  } else {
    const block = { type: 'tool_use', id: reply.id, name: reply.name, input: {} }
    events.push(['content_block_start', { index: 0, content_block: block }])
    const json = JSON.stringify(reply.input)
    for (let at = 0; at < json.length; at += JSON_CHUNK_CHARS) {
      const partial = json.slice(at, at + JSON_CHUNK_CHARS)
      events.push([
        'content_block_delta',
        { index: 0, delta: { type: 'input_json_delta', partial_json: partial } },
      ])
    }
  }
  events.push(['content_block_stop', { index: 0 }])
  events.push([
    'message_delta',
    { delta: { stop_reason: stopReasonOf(reply), stop_sequence: null }, usage: { output_tokens: 20 } },
  ])
  events.push(['message_stop', {}])
  return events
    .map(([type, data]) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`)
    .join('')
}

/** An API error body (`type` is the Anthropic error type, e.g. `invalid_request_error`). */
export function buildError(type: string, message: string): Record<string, unknown> {
  return { type: 'error', error: { type, message } }
}

/** Every tool result in a request's messages, by tool_use_id. */
export function readToolResults(messages: unknown): Map<string, ToolResult> {
  const results = new Map<string, ToolResult>()
  for (const block of contentBlocks(messages)) {
    if (block.type !== 'tool_result' || typeof block.tool_use_id !== 'string') continue
    results.set(block.tool_use_id, {
      toolUseId: block.tool_use_id,
      text: textOf(block.content),
      isError: block.is_error === true,
    })
  }
  return results
}

/** The text of every message, system prompt included, for looking names up in. */
export function allText(body: Record<string, unknown>): string {
  return JSON.stringify([body.system, body.messages])
}

function contentBlocks(messages: unknown): Record<string, unknown>[] {
  if (!Array.isArray(messages)) return []
  return messages.flatMap((message) => {
    const content = (message as { content?: unknown }).content
    return Array.isArray(content) ? (content as Record<string, unknown>[]) : []
  })
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content
  if (!Array.isArray(content)) return content === undefined ? '' : JSON.stringify(content)
  return content
    .map((block: { type?: string; text?: unknown }) =>
      block.type === 'text' && typeof block.text === 'string' ? block.text : JSON.stringify(block),
    )
    .join('\n')
}

function messageHead(model: string) {
  return {
    id: `msg_fake${randomUUID().replaceAll('-', '')}`,
    type: 'message',
    role: 'assistant',
    model,
    stop_sequence: null,
  }
}

function stopReasonOf(reply: Reply): string {
  return reply.type === 'text' ? 'end_turn' : 'tool_use'
}

function usage(outputTokens: number) {
  return {
    input_tokens: 100,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    output_tokens: outputTokens,
  }
}
