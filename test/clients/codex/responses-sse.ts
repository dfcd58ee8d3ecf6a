// The server-sent events of a streamed OpenAI Responses API answer, as the real API sends them, for
// the three kinds of answer the fake model gives: a function call, a client tool search, a text.

import type http from 'node:http'

export interface SseEvent {
  type: string
  [key: string]: unknown
}

/** A function call as the model emits it; `namespace` for a tool loaded inside a namespace. */
export interface FunctionCallItem {
  callId: string
  name: string
  namespace?: string
  arguments: string
}

/** Token counts for `response.completed`: fixed, since nothing reads them but Codex's status line. */
const USAGE = {
  input_tokens: 1000,
  input_tokens_details: { cached_tokens: 0 },
  output_tokens: 20,
  output_tokens_details: { reasoning_tokens: 0 },
  total_tokens: 1020,
}

function envelope(
  id: string,
  status: 'in_progress' | 'completed',
  output: unknown[],
): Record<string, unknown> {
  return {
    id,
    object: 'response',
    created_at: Math.floor(Date.now() / 1000),
    status,
    model: 'fake-model',
    output,
    ...(status === 'completed' ? { usage: USAGE } : {}),
  }
}

/** A response whose single output item is complete when added (no deltas). */
function singleItem(responseId: string, item: Record<string, unknown>, deltas: SseEvent[]): SseEvent[] {
  return [
    { type: 'response.created', response: envelope(responseId, 'in_progress', []) },
    { type: 'response.output_item.added', output_index: 0, item: { ...item, status: 'in_progress' } },
    ...deltas,
    { type: 'response.output_item.done', output_index: 0, item },
    { type: 'response.completed', response: envelope(responseId, 'completed', [item]) },
  ]
}

export function functionCallEvents(responseId: string, call: FunctionCallItem): SseEvent[] {
  const itemId = `fc_${responseId}`
  const item = {
    type: 'function_call',
    id: itemId,
    call_id: call.callId,
    ...(call.namespace ? { namespace: call.namespace } : {}),
    name: call.name,
    arguments: call.arguments,
    status: 'completed',
  }
  const at = { item_id: itemId, output_index: 0 }
  return singleItem(responseId, item, [
    { type: 'response.function_call_arguments.delta', ...at, delta: call.arguments },
    { type: 'response.function_call_arguments.done', ...at, arguments: call.arguments },
  ])
}

/** A call of a freeform (custom) tool, such as code mode's `exec`, whose input is raw text. */
export function customToolCallEvents(
  responseId: string,
  call: { callId: string; name: string; namespace?: string; input: string },
): SseEvent[] {
  const itemId = `ctc_${responseId}`
  const item = {
    type: 'custom_tool_call',
    id: itemId,
    call_id: call.callId,
    ...(call.namespace ? { namespace: call.namespace } : {}),
    name: call.name,
    input: call.input,
    status: 'completed',
  }
  const at = { item_id: itemId, output_index: 0 }
  return singleItem(responseId, item, [
    { type: 'response.custom_tool_call_input.delta', ...at, delta: call.input },
    { type: 'response.custom_tool_call_input.done', ...at, input: call.input },
  ])
}

/** A `tool_search_call` that Codex runs itself (execution "client") over its deferred tools. */
export function toolSearchEvents(responseId: string, callId: string, query: string): SseEvent[] {
  const item = {
    type: 'tool_search_call',
    id: `ts_${responseId}`,
    call_id: callId,
    execution: 'client',
    arguments: { query, limit: 20 },
    status: 'completed',
  }
  return singleItem(responseId, item, [])
}

export function textEvents(responseId: string, text: string): SseEvent[] {
  const itemId = `msg_${responseId}`
  const part = { type: 'output_text', text, annotations: [] }
  const item = { type: 'message', id: itemId, role: 'assistant', status: 'completed', content: [part] }
  const at = { item_id: itemId, output_index: 0, content_index: 0 }
  return [
    { type: 'response.created', response: envelope(responseId, 'in_progress', []) },
    {
      type: 'response.output_item.added',
      output_index: 0,
      item: { ...item, status: 'in_progress', content: [] },
    },
    { type: 'response.content_part.added', ...at, part: { ...part, text: '' } },
    { type: 'response.output_text.delta', ...at, delta: text },
    { type: 'response.output_text.done', ...at, text },
    { type: 'response.content_part.done', ...at, part },
    { type: 'response.output_item.done', output_index: 0, item },
    { type: 'response.completed', response: envelope(responseId, 'completed', [item]) },
  ]
}

export function sendEvents(res: http.ServerResponse, events: SseEvent[]): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' })
  events.forEach((event, index) => {
    res.write(`event: ${event.type}\ndata: ${JSON.stringify({ ...event, sequence_number: index })}\n\n`)
  })
  res.end()
}
