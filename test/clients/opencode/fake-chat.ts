// A scripted fake OpenAI Chat Completions server that plays a Scenario for a harness speaking the
// Chat Completions wire format (OpenCode through @ai-sdk/openai-compatible). It reads what the
// model was shown from the `role: "tool"` messages of the harness's next request.

import http from 'node:http'
import type { AddressInfo } from 'node:net'
import type { LoggedRequest, Scenario, SeenResult, Step, ToolCall } from '../scenario.js'

/** The model id the fake server reports; any id the harness sends is answered the same way. */
export const FAKE_MODEL = 'fake-model'

export interface FakeChatOptions {
  scenario: Scenario
  /**
   * How the harness names bgbash's tools on the wire: `${toolPrefix}${tool}`. OpenCode names an
   * MCP tool `<server>_<tool>`, so for a server configured as `bgbash` this is `bgbash_`.
   */
  toolPrefix: string
}

/** What the fake model was shown, so far. */
export interface FakeChatRecord {
  seen: SeenResult[]
  requests: LoggedRequest[]
  /** bgbash's tool definitions from the first main-conversation request that carried them. */
  toolDefinitions: unknown[]
  /** Set when the scenario could not go on (a `before` hook or a `call` threw, or a bad request). */
  failure: Error | undefined
}

export interface FakeChat {
  /** The base URL to give the harness, ending in `/v1`. */
  baseUrl: string
  record: FakeChatRecord
  /** Resolves once the model has given its final text answer (or given up after a failure). */
  finished: Promise<void>
  close(): Promise<void>
}

interface ChatMessage {
  role?: string
  content?: unknown
  tool_call_id?: string
  tool_calls?: { id?: string }[]
}

interface ChatTool {
  type?: string
  function?: { name?: string }
}

interface ChatRequest {
  model?: string
  stream?: boolean
  messages?: ChatMessage[]
  tools?: ChatTool[]
}

/** A call the fake model made, waiting for its result to come back in a later request. */
interface IssuedCall {
  id: string
  step: string
  tool: string
}

/** What the model says in its turn: one tool call, or plain text. */
type Answer = { kind: 'tool'; id: string; name: string; args: string } | { kind: 'text'; text: string }

/** Arguments are streamed in pieces of this many characters, as the real API splits them. */
const ARGUMENT_CHUNK_CHARS = 16

/** Starts the server on 127.0.0.1 with an OS-chosen port. */
export async function startFakeChat({ scenario, toolPrefix }: FakeChatOptions): Promise<FakeChat> {
  const record: FakeChatRecord = { seen: [], requests: [], toolDefinitions: [], failure: undefined }
  const issued: IssuedCall[] = []
  // The answer given for each turn, so a retried request gets the same answer again.
  const answers: Answer[] = []
  /** The index of the step to play next. */
  let nextStep = 0
  let markFinished!: () => void
  const finished = new Promise<void>((resolve) => {
    markFinished = resolve
  })

  const fail = (error: Error): Answer => {
    record.failure ??= error
    markFinished()
    return { kind: 'text', text: `The scenario failed: ${error.message}` }
  }

  /** Records the results of earlier calls found in this request, then decides the next turn. */
  const answerMain = async (request: ChatRequest): Promise<Answer> => {
    const results = collectToolResults(request.messages ?? [])
    const answered = issued.filter((call) => results.has(call.id))
    if (answered.length < issued.length) {
      // A retry of an earlier turn: the harness resends what it sent before.
      const turn = answered.length
      return answers[turn] ?? fail(new Error(`request for turn ${turn} came back without an answer`))
    }
    for (const call of issued.slice(record.seen.length))
      record.seen.push({ step: call.step, tool: call.tool, text: results.get(call.id)!, isError: false })

    const turn = issued.length
    let step: Step | undefined
    let call: ToolCall | undefined
    try {
      // A step may make no call (call(seen) gives none): the next one follows in the same turn.
      while (!call) {
        step = scenario.steps[nextStep]
        if (!step) break
        nextStep += 1
        await step.before?.(record.seen)
        call = step.call(record.seen)
      }
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error)
      return fail(new Error(`step ${step?.name} failed: ${reason}`, { cause: error }))
    }
    if (!step || !call) {
      const answer: Answer = { kind: 'text', text: 'All checks ran.' }
      answers[turn] ??= answer
      markFinished()
      return answer
    }
    // A native call names one of OpenCode's own tools as is.
    const name = call.native ? call.tool : `${toolPrefix}${call.tool}`
    if (!toolNames(request).includes(name))
      return fail(new Error(`the harness offers no tool ${name}; it offers ${toolNames(request).join(', ')}`))
    const id = `call_${String(turn + 1).padStart(2, '0')}_${step.name}`
    issued.push({ id, step: step.name, tool: call.tool })
    const answer: Answer = { kind: 'tool', id, name, args: JSON.stringify(call.args) }
    answers[turn] = answer
    return answer
  }

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const raw = await readBody(req)
    const body = raw ? parseJson(raw) : undefined
    record.requests.push({ path: `${req.method} ${req.url}`, body })
    const url = new URL(req.url ?? '/', 'http://fake')

    if (req.method === 'GET' && url.pathname.endsWith('/models')) {
      sendJson(res, 200, { object: 'list', data: [{ id: FAKE_MODEL, object: 'model', owned_by: 'bgbash' }] })
      return
    }
    if (req.method !== 'POST' || !url.pathname.endsWith('/chat/completions')) {
      sendJson(res, 404, { error: { message: `fake model server: no route ${req.method} ${url.pathname}` } })
      return
    }
    const request = (body ?? {}) as ChatRequest
    let answer: Answer
    if (isMainConversation(request, toolPrefix)) {
      if (record.toolDefinitions.length === 0)
        record.toolDefinitions = (request.tools ?? []).filter((tool) =>
          tool.function?.name?.startsWith(toolPrefix),
        )
      answer = await answerMain(request)
    } else {
      // A side request (a title, a summary): a harmless short answer that is not a turn.
      answer = { kind: 'text', text: 'bgbash checks' }
    }
    if (request.stream === false) sendJson(res, 200, completionOf(answer, request.model))
    else sendStream(res, answer, request.model)
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      const failure = error instanceof Error ? error : new Error(String(error))
      record.failure ??= failure
      markFinished()
      if (!res.headersSent) sendJson(res, 500, { error: { message: failure.message } })
      else res.end()
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    record,
    finished,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/**
 * A main-conversation request offers bgbash's tools; title and summary requests offer no tools.
 * (OpenCode sends the tools with every agent turn, so this holds for every turn of the scenario.)
 */
function isMainConversation(request: ChatRequest, toolPrefix: string): boolean {
  return toolNames(request).some((name) => name.startsWith(toolPrefix))
}

function toolNames(request: ChatRequest): string[] {
  return (request.tools ?? []).flatMap((tool) => (tool.function?.name ? [tool.function.name] : []))
}

/** The text of every `role: "tool"` message, by the id of the call it answers. */
function collectToolResults(messages: ChatMessage[]): Map<string, string> {
  const results = new Map<string, string>()
  for (const message of messages)
    if (message.role === 'tool' && message.tool_call_id)
      results.set(message.tool_call_id, textOf(message.content))
  return results
}

/** A message's content as one string: the string itself, or its parts joined by "\n". */
function textOf(content: unknown): string {
  if (typeof content === 'string') return content
  if (Array.isArray(content))
    return content
      .map((part: { type?: string; text?: unknown }) =>
        part?.type === 'text' && typeof part.text === 'string' ? part.text : JSON.stringify(part),
      )
      .join('\n')
  return JSON.stringify(content)
}

function completionOf(answer: Answer, model = FAKE_MODEL): unknown {
  const message =
    answer.kind === 'tool'
      ? {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: answer.id, type: 'function', function: { name: answer.name, arguments: answer.args } },
          ],
        }
      : { role: 'assistant', content: answer.text }
  return {
    id: `chatcmpl-${Date.now()}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, message, finish_reason: answer.kind === 'tool' ? 'tool_calls' : 'stop' }],
    usage: USAGE,
  }
}

// Plausible numbers: a harness may show them, none should depend on them.
const USAGE = { prompt_tokens: 1000, completion_tokens: 20, total_tokens: 1020 }

/** Streams an answer as Server-Sent Events, chunk by chunk as the real API does. */
function sendStream(res: http.ServerResponse, answer: Answer, model = FAKE_MODEL): void {
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  })
  const id = `chatcmpl-${Date.now()}`
  const created = Math.floor(Date.now() / 1000)
  const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) =>
    res.write(
      `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices, ...extra })}\n\n`,
    )
  const delta = (value: unknown) => chunk([{ index: 0, delta: value, finish_reason: null }])

  if (answer.kind === 'tool') {
    delta({
      role: 'assistant',
      content: null,
      tool_calls: [
        { index: 0, id: answer.id, type: 'function', function: { name: answer.name, arguments: '' } },
      ],
    })
    for (let at = 0; at < answer.args.length; at += ARGUMENT_CHUNK_CHARS)
      delta({
        tool_calls: [{ index: 0, function: { arguments: answer.args.slice(at, at + ARGUMENT_CHUNK_CHARS) } }],
      })
  } else {
    delta({ role: 'assistant', content: '' })
    for (const word of answer.text.split(/(?<= )/)) delta({ content: word })
  }
  chunk([{ index: 0, delta: {}, finish_reason: answer.kind === 'tool' ? 'tool_calls' : 'stop' }])
  chunk([], { usage: USAGE })
  res.end('data: [DONE]\n\n')
}

function sendJson(res: http.ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' })
  res.end(JSON.stringify(value))
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw)
  } catch {
    return raw
  }
}
