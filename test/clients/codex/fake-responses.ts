// A fake OpenAI Responses API that plays a Scenario for Codex, and records what the model is shown:
// the tool results inside the requests Codex sends back.

import http from 'node:http'
import type { AddressInfo } from 'node:net'
import zlib from 'node:zlib'
import type { LoggedRequest, Scenario, SeenResult } from '../scenario.js'
import {
  bgbashNameOf,
  callableTools,
  deferredNamespaceLines,
  type InputItem,
  isFunctionCall,
  isScenarioRequest,
  MCP_SERVER_NAME,
  NAMESPACE,
  type ResponsesRequest,
  readOutput,
} from './codex-request.js'
import {
  customToolCallEvents,
  functionCallEvents,
  sendEvents,
  textEvents,
  toolSearchEvents,
} from './responses-sse.js'

/** What the fake model answers after the last step. */
export const FINAL_ANSWER = 'All checks ran.'

export interface FakeResponses {
  /** The provider base URL to give Codex (`…/v1`). */
  baseUrl: string
  /** One entry per step whose result came back, in step order. */
  readonly seen: SeenResult[]
  requests: LoggedRequest[]
  /**
   * bgbash's tool definitions as the model first received them (from `tools` or a tool search's
   * output); in code mode, the one line that names the deferred namespace.
   */
  readonly toolDefinitions: unknown[]
  /** Lines saying what the server did, for failure messages. */
  log: string[]
  /** Resolves when the final answer has been sent; rejects when the scenario cannot go on. */
  finished: Promise<void>
  close(): Promise<void>
}

/**
 * How the fake model calls bgbash: `tools` calls each MCP tool as a function (after loading the
 * deferred tools with a tool search); `code` calls it from JavaScript in code mode's `exec` tool
 * and prints the result object with `text()`.
 */
export type FakeModelMode = 'tools' | 'code'

/** A step's call id: fixed per step, so a repeated request is answered with the same call. */
function callIdOf(stepIndex: number): string {
  return `call_bgbash_${stepIndex}`
}

function stepIndexOf(callId: unknown): number | undefined {
  const match = typeof callId === 'string' ? callId.match(/^call_bgbash_(\d+)$/) : null
  return match ? Number(match[1]) : undefined
}

/** Starts the server on 127.0.0.1 (a free port). */
export async function startFakeResponses(
  scenario: Scenario,
  { mode = 'tools' }: { mode?: FakeModelMode } = {},
): Promise<FakeResponses> {
  const seen: (SeenResult | undefined)[] = []
  const requests: LoggedRequest[] = []
  const log: string[] = []
  const searches = new Set<string>()
  /** Step index → the bgbash tool its call used. */
  const calledTools = new Map<number, string>()
  /** Steps whose call(seen) made no call. */
  const skipped = new Set<number>()
  let toolDefinitions: unknown[] = []
  let settle: { resolve(): void; reject(error: Error): void } | undefined
  const finished = new Promise<void>((resolve, reject) => {
    settle = { resolve, reject }
  })
  // The driver awaits it after Codex exits; until then a rejection must not go unhandled.
  finished.catch(() => {})

  function seenSoFar(): SeenResult[] {
    return seen.filter((result): result is SeenResult => result !== undefined)
  }

  /** Records the results of earlier steps found in the request; returns the next step's index. */
  function readResults(input: InputItem[]): number {
    const calls = new Map(input.filter(isFunctionCall).map((item) => [item.call_id, item]))
    let next = 0
    for (const item of input) {
      const index = isFunctionCall(item) ? undefined : stepIndexOf(item.call_id)
      const step = index === undefined ? undefined : scenario.steps[index]
      if (index === undefined || !step) continue
      next = Math.max(next, index + 1)
      if (seen[index]) continue
      const tool = calledTools.get(index) ?? bgbashNameOf(calls.get(item.call_id)) ?? '?'
      seen[index] = { step: step.name, tool, ...readOutput(item) }
      log.push(`seen ${step.name} (${item.type}): ${seen[index].text.slice(0, 300)}`)
    }
    return next
  }

  async function answerScenario(body: ResponsesRequest, res: http.ServerResponse, id: string): Promise<void> {
    const input = body.input ?? []
    const tools = callableTools(body)
    if (toolDefinitions.length === 0)
      toolDefinitions =
        mode === 'code'
          ? deferredNamespaceLines(input)
          : tools.filter((t) => t.bgbashName).map((t) => t.definition)
    let next = readResults(input)
    for (const index of skipped) next = Math.max(next, index + 1)
    const step = scenario.steps[next]
    if (!step) {
      log.push(`answer: "${FINAL_ANSWER}"`)
      sendEvents(res, textEvents(id, FINAL_ANSWER))
      settle?.resolve()
      return
    }
    if (mode === 'code') {
      // Code mode: the model calls the tool from JavaScript in `exec` and prints what it got back.
      if (!tools.some((t) => t.name === 'exec'))
        throw new Error(`Codex offered no exec tool: ${tools.map((t) => t.wireName).join(', ')}`)
      await step.before?.(seenSoFar())
      const call = step.call(seenSoFar())
      if (!call) return skip(next, body, res, id)
      if (call.native) throw new Error(`step ${step.name}: code mode calls bgbash tools only`)
      calledTools.set(next, call.tool)
      const source = `text(await tools.${NAMESPACE}__${call.tool}(${JSON.stringify(call.args)}))`
      log.push(`answer ${step.name}: exec ${source}`)
      return sendEvents(
        res,
        customToolCallEvents(id, { callId: callIdOf(next), name: 'exec', input: source }),
      )
    }
    const planned = step.call(seenSoFar())
    if (planned && !planned.native && !tools.some((t) => t.bgbashName === planned.tool)) {
      // Codex defers MCP tools: the model loads them with a tool search first, as a real one would.
      const query = searches.size === 0 ? MCP_SERVER_NAME : planned.tool
      const offersSearch = (body.tools ?? []).some(
        (tool) => (tool as { type?: unknown }).type === 'tool_search',
      )
      if (!offersSearch || searches.has(query))
        throw new Error(
          `bgbash tool ${planned.tool} is not callable: ${tools.map((t) => t.wireName).join(', ')}`,
        )
      searches.add(query)
      log.push(`answer before ${step.name}: tool_search "${query}"`)
      return sendEvents(res, toolSearchEvents(id, `call_search_${searches.size}`, query))
    }
    await step.before?.(seenSoFar())
    const call = step.call(seenSoFar())
    if (!call) return skip(next, body, res, id)
    // A native call names one of Codex's own tools, outside any namespace.
    const tool = call.native
      ? tools.find((t) => t.name === call.tool && !t.namespace)
      : tools.find((t) => t.bgbashName === call.tool)
    if (!tool)
      throw new Error(
        `${call.native ? 'Codex' : 'bgbash'} tool ${call.tool} is not callable: ${tools.map((t) => t.wireName).join(', ')}`,
      )
    const args = JSON.stringify(call.args)
    calledTools.set(next, call.tool)
    log.push(`answer ${step.name}: ${tool.wireName} ${args}`)
    sendEvents(
      res,
      functionCallEvents(id, {
        callId: callIdOf(next),
        name: tool.name,
        namespace: tool.namespace,
        arguments: args,
      }),
    )
  }

  /** A step that makes no call (the model knows what it would tell): on to the next one. */
  function skip(index: number, body: ResponsesRequest, res: http.ServerResponse, id: string) {
    log.push(`skip ${scenario.steps[index]?.name}: no call`)
    skipped.add(index)
    return answerScenario(body, res, id)
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const raw = await readBody(req)
    const body = raw.length > 0 ? parseJson(raw) : undefined
    const id = `resp_${requests.length}`
    requests.push({ path: `${req.method} ${req.url}`, body })
    log.push(`request ${req.method} ${req.url} (${raw.length} bytes)`)
    const url = req.url ?? ''
    if (req.method === 'POST' && url.endsWith('/responses')) {
      const request = (body ?? {}) as ResponsesRequest
      if (isScenarioRequest(request, scenario)) return answerScenario(request, res, id)
      // A side request (a title, a summary, a review): harmless text, not a scenario turn.
      log.push('answer side request: "ok"')
      return sendEvents(res, textEvents(id, 'ok'))
    }
    if (req.method === 'GET' && url.includes('/models'))
      return sendJson(res, 200, { object: 'list', data: [] })
    sendJson(res, 404, { error: { message: `no such route: ${req.method} ${url}`, type: 'not_found' } })
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      const message = error instanceof Error ? error.message : String(error)
      log.push(`failed: ${message}`)
      // 400 is not retried: Codex ends the turn, and the driver kills it and reports this log.
      if (!res.headersSent) sendJson(res, 400, { error: { message, type: 'invalid_request_error' } })
      else res.destroy()
      settle?.reject(new Error(message, { cause: error }))
    })
  })
  // Codex is given this server as its HTTP(S) proxy: whatever it tries to reach elsewhere is
  // refused at once (nothing hangs) and logged.
  server.on('connect', (req, socket) => {
    log.push(`refused CONNECT ${req.url}`)
    requests.push({ path: `CONNECT ${req.url}`, body: undefined })
    socket.end('HTTP/1.1 403 Forbidden\r\n\r\n')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    get seen() {
      return seenSoFar()
    },
    requests,
    get toolDefinitions() {
      return toolDefinitions
    },
    log,
    finished,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' })
  res.end(JSON.stringify(body))
}

async function readBody(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  const raw = Buffer.concat(chunks)
  switch (req.headers['content-encoding']) {
    case undefined:
    case 'identity':
      return raw
    case 'gzip':
      return zlib.gunzipSync(raw)
    case 'deflate':
      return zlib.inflateSync(raw)
    case 'br':
      return zlib.brotliDecompressSync(raw)
    default:
      throw new Error(
        `request body in an encoding this server cannot read: ${req.headers['content-encoding']}`,
      )
  }
}

function parseJson(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8'))
  } catch {
    return raw.toString('utf8')
  }
}
