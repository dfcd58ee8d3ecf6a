import { PassThrough, type Readable, Writable } from 'node:stream'
import { initializeResult } from './identity.js'

/** A first line longer than this is not an `initialize` we answer early: the SDK will. */
const MAX_FIRST_LINE = 1024 * 1024

/**
 * Answers the client's `initialize` the moment it arrives, before the MCP SDK, zod and the store
 * are loaded (about half a second here): Codex does not wait for a slow server, and its first
 * request to the model then has no bgbash tools. Everything read is kept and handed to the SDK's
 * transport afterwards, the `initialize` included, so the SDK's state is what it would be; its
 * own answer to that `initialize` is dropped. Only a first line that is an `initialize` request is
 * answered; anything else (the 2026 era's `server/discover`, garbage) is left to the SDK.
 */
export class EarlyHandshake {
  private readonly chunks: Buffer[] = []
  private firstLine = ''
  private isDecided = false
  private initializeId: string | number | undefined
  private readonly onData = (chunk: Buffer) => {
    this.chunks.push(chunk)
    if (!this.isDecided) this.readFirstLine(chunk)
  }

  constructor(
    private readonly stdin: Readable,
    private readonly stdout: NodeJS.WritableStream,
    private readonly version: string,
  ) {
    stdin.on('data', this.onData)
  }

  isOn(stdin: NodeJS.ReadableStream): boolean {
    return this.stdin === stdin
  }

  /** The streams to give the SDK's transport: what was read so far, then the rest of stdin. */
  handOver(): { input: Readable; output: Writable } {
    this.stdin.off('data', this.onData)
    const input = new PassThrough()
    for (const chunk of this.chunks) input.write(chunk)
    this.chunks.length = 0
    if (this.stdin.readableEnded) input.end()
    else this.stdin.pipe(input)
    return { input, output: withoutAnswerTo(this.stdout, this.initializeId) }
  }

  private readFirstLine(chunk: Buffer): void {
    this.firstLine += chunk.toString('utf8')
    const end = this.firstLine.indexOf('\n')
    if (end < 0 && this.firstLine.length <= MAX_FIRST_LINE) return
    // Decided either way: the chunks keep what the SDK will read.
    const line = end < 0 ? '' : this.firstLine.slice(0, end)
    this.isDecided = true
    this.firstLine = ''
    let message: { jsonrpc?: unknown; id?: unknown; method?: unknown; params?: { protocolVersion?: unknown } }
    try {
      message = JSON.parse(line)
    } catch {
      return
    }
    const { id } = message ?? {}
    if (message?.jsonrpc !== '2.0' || message.method !== 'initialize') return
    if (typeof id !== 'string' && typeof id !== 'number') return
    this.initializeId = id
    const result = initializeResult(message.params?.protocolVersion, this.version)
    this.stdout.write(`${JSON.stringify({ jsonrpc: '2.0', id, result })}\n`)
  }
}

/** stdout for the SDK, less its answer to the `initialize` already answered (one message a write). */
function withoutAnswerTo(stdout: NodeJS.WritableStream, id: string | number | undefined): Writable {
  let isDropped = id === undefined
  return new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      if (!isDropped && isAnswerTo(chunk.toString(), id!)) {
        isDropped = true
        callback()
        return
      }
      stdout.write(chunk, (error) => callback(error ?? undefined))
    },
  })
}

function isAnswerTo(text: string, id: string | number): boolean {
  try {
    const message = JSON.parse(text) as { id?: unknown; method?: unknown }
    return message.id === id && message.method === undefined
  } catch {
    return false
  }
}

let started: EarlyHandshake | undefined

/**
 * Starts the early handshake on this process's stdio when the arguments serve MCP (`mcp`, not
 * its help or version): called by the executables before they load the CLI.
 */
export function startEarlyHandshake(argv: string[], version: () => string): void {
  if (argv[0] !== 'mcp' || argv.some((arg) => ['-h', '--help', '-V', '--version'].includes(arg))) return
  started = new EarlyHandshake(process.stdin, process.stdout, version())
}

/** The handshake started on `stdin`, if any; once. */
export function takeEarlyHandshake(stdin: NodeJS.ReadableStream): EarlyHandshake | undefined {
  const handshake = started?.isOn(stdin) ? started : undefined
  started = undefined
  return handshake
}
