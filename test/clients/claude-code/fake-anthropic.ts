// A fake Anthropic Messages API on 127.0.0.1 that plays a Scenario as Claude Code's model.
// Main-conversation requests are the model's turns; Claude Code's side requests (titles,
// summaries, token counts, quota probes, model lists) get harmless answers and are not turns.

import http from 'node:http'
import type { AddressInfo } from 'node:net'
import type { LoggedRequest, Scenario, SeenResult } from '../scenario.js'
import { buildError, buildMessage, encodeSse, type Reply } from './anthropic-wire.js'
import { ScenarioPlayer } from './scenario-player.js'

export interface FakeAnthropic {
  /** The base URL for ANTHROPIC_BASE_URL. */
  url: string
  requests: LoggedRequest[]
  seen: SeenResult[]
  /** bgbash's tool definitions as the model received them; empty until they are sent. */
  toolDefinitions: unknown[]
  /** Settles with the first error of the scenario (a hook or a call that threw, a bad request). */
  failed: Promise<Error>
  close(): Promise<void>
}

/** Starts the fake API on a free port of 127.0.0.1. */
export async function startFakeAnthropic(scenario: Scenario): Promise<FakeAnthropic> {
  const requests: LoggedRequest[] = []
  const player = new ScenarioPlayer(scenario)
  let fail: (error: Error) => void = () => {}
  const failed = new Promise<Error>((resolve) => {
    fail = resolve
  })
  const server = http.createServer((req, res) => {
    readBody(req)
      .then(async (raw) => {
        const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {}
        requests.push({ path: req.url ?? '', body })
        await answer(req.method ?? 'GET', new URL(req.url ?? '/', 'http://x').pathname, body, res)
      })
      .catch((error: unknown) => {
        const cause = error instanceof Error ? error : new Error(String(error))
        fail(new Error(`fake Anthropic API failed on ${req.method} ${req.url}: ${cause.message}`, { cause }))
        if (!res.headersSent) sendJson(res, 400, buildError('invalid_request_error', cause.message))
        else res.end()
      })
  })

  async function answer(
    method: string,
    path: string,
    body: Record<string, unknown>,
    res: http.ServerResponse,
  ) {
    if (method === 'POST' && path === '/v1/messages/count_tokens') {
      return sendJson(res, 200, { input_tokens: Math.ceil(JSON.stringify(body).length / 4) })
    }
    if (method === 'GET' && path === '/v1/models') {
      return sendJson(res, 200, { data: [], has_more: false, first_id: null, last_id: null })
    }
    if (method !== 'POST' || path !== '/v1/messages') {
      return sendJson(res, 404, buildError('not_found_error', `No fake route for ${method} ${path}`))
    }
    const reply: Reply = player.isMainTurn(body) ? await player.playTurn(body) : { type: 'text', text: 'OK' }
    const model = typeof body.model === 'string' ? body.model : 'claude-fake'
    if (body.stream !== true) return sendJson(res, 200, buildMessage(reply, model))
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' })
    res.end(encodeSse(reply, model))
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    seen: player.seen,
    get toolDefinitions() {
      return player.toolDefinitions
    },
    failed,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' })
  res.end(JSON.stringify(body))
}
