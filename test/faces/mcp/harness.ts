import fs from 'node:fs'
import type { TestContext } from 'node:test'
import { fileURLToPath } from 'node:url'
import { Client } from '@modelcontextprotocol/client'
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio'
import { isAlive, readStartTime } from '../../helpers/pids.js'
import { pollUntil } from '../../helpers/wait.js'

export const BIN = fileURLToPath(new URL('../../../dist/bin/bgbash.js', import.meta.url))

/** A tool result as the tests read it. */
export interface ToolResult {
  content: Array<{ type: string; text?: string }>
  // biome-ignore lint/suspicious/noExplicitAny: tests read fields of many shapes
  structuredContent?: Record<string, any>
  isError?: boolean
}

export interface McpOptions {
  home: string
  /** Passed as `--session`; `null` passes none (and clears BGBASH_SESSION) to test the default. */
  session?: string | null
  cwd?: string
  /** More `bgbash mcp` options. */
  args?: string[]
  /**
   * Start with `--structured` (default true: these tests read the fields of structuredContent);
   * false tests what a model reads, the text alone.
   */
  structured?: boolean
  /**
   * Start the server through another process that stays its parent (perl's `system`): the server
   * then has a different client process, as a server of another conversation would.
   */
  viaOtherClient?: boolean
  /** Negotiate the 2026-07-28 protocol era (`server/discover`); default: the 2025 `initialize` handshake. */
  isModern?: boolean
}

/** The built `bgbash mcp` binary, driven by the SDK's client over stdio. Killed when the test ends. */
export class McpProcess {
  readonly client: Client
  readonly transport: StdioClientTransport
  /** What the server wrote to stderr (logs). */
  stderr = ''
  /** Errors the client transport saw: a non-protocol line on stdout would land here. */
  readonly errors: Error[] = []
  pid = 0
  /** The server's kernel start time: with the pid, names it for good (a pid may be reused). */
  private startTime: number | undefined

  private constructor(options: McpOptions) {
    const env = { ...(process.env as Record<string, string>) }
    const session = options.session === null ? [] : ['--session', options.session ?? 'mcp-test']
    if (options.session === null) delete env.BGBASH_SESSION
    const structured = options.structured === false ? [] : ['--structured']
    const args = [BIN, 'mcp', '--home', options.home, ...session, ...structured, ...(options.args ?? [])]
    this.transport = new StdioClientTransport({
      command: options.viaOtherClient ? 'perl' : process.execPath,
      args: options.viaOtherClient ? ['-e', 'exit(system(@ARGV) >> 8)', process.execPath, ...args] : args,
      cwd: options.cwd,
      env,
      stderr: 'pipe',
    })
    this.transport.stderr?.on('data', (chunk: Buffer) => {
      this.stderr += chunk.toString()
    })
    this.client = new Client(
      { name: 'bgbash-test', version: '1.0.0' },
      options.isModern ? { versionNegotiation: { mode: 'auto' } } : undefined,
    )
    this.client.onerror = (error) => this.errors.push(error)
  }

  static async start(t: TestContext, options: McpOptions): Promise<McpProcess> {
    const server = new McpProcess(options)
    t.after(() => server.kill())
    await server.client.connect(server.transport)
    server.pid = server.transport.pid ?? 0
    if (options.viaOtherClient) {
      // The server is perl's child: SIGKILL and liveness must reach it, not only perl.
      const child = fs
        .readFileSync(`/proc/${server.pid}/task/${server.pid}/children`, 'utf8')
        .trim()
        .split(' ')
        .map(Number)[0]
      if (child) server.pid = child
    }
    server.startTime = readStartTime(server.pid)
    return server
  }

  /** Calls a tool; a tool error comes back as a result with `isError`, not as a rejection. */
  async call(
    name: string,
    args: Record<string, unknown> = {},
    options: { onprogress?: (p: unknown) => void } = {},
  ) {
    return (await this.client.callTool({ name, arguments: args }, options)) as unknown as ToolResult
  }

  /** SIGKILLs the server (if that pid is still the server) and waits until it is gone. */
  async kill(): Promise<void> {
    if (this.isRunning()) process.kill(this.pid, 'SIGKILL')
    await this.waitGone()
    await this.client.close().catch(() => {})
  }

  /** True while the server runs: its pid alive with the start time it had. */
  private isRunning(): boolean {
    return this.pid > 0 && isAlive(this.pid) && readStartTime(this.pid) === this.startTime
  }

  /** Closes stdin, as a client does when it quits, and waits until the server exits. */
  async close(): Promise<void> {
    await this.client.close()
    await this.waitGone()
  }

  private async waitGone(): Promise<void> {
    if (this.pid)
      await pollUntil(
        () => this.isRunning(),
        (running) => !running,
        { what: `mcp server ${this.pid} to exit` },
      )
  }
}

/** All text blocks of a result, joined. */
export function textOf(result: ToolResult): string {
  return result.content.map((block) => block.text ?? '').join('\n')
}

/** The main text block (the tool's own answer, without the notices block). */
export function mainText(result: ToolResult): string {
  return result.content[0]?.text ?? ''
}
