import type { Readable, Writable } from 'node:stream'
import { StdioServerTransport, serveStdio } from '@modelcontextprotocol/server/stdio'
import type { EarlyHandshake } from '../../faces/mcp/early.js'
import { createServer } from '../../faces/mcp/server.js'
import { McpState } from '../../faces/mcp/state.js'
import { findClientProcess, type Logger, openTaskManager } from '../../index.js'
import type { CliIo } from '../io.js'
import { readVersion } from '../version.js'

export interface McpCommandOptions {
  home?: string
  session?: string
  /** The project (default: the git repository around the cwd, else the cwd). */
  project?: string
  /** Interval of "still running" reminders, in ms (a string from the command line); default 10 min. */
  longRunningMs?: string
  /** Also send structuredContent (for programmatic clients). */
  structured?: boolean
}

/**
 * `bgbash mcp`: serves the MCP tools on stdin/stdout until the client closes stdin, then closes its
 * manager and leaves the tasks running for the next server to adopt. stdout carries the protocol
 * only; logs go to stderr.
 */
export async function runMcp(io: CliIo, options: McpCommandOptions, early?: EarlyHandshake): Promise<number> {
  const logger = stderrLogger(io.stderr)
  // With a session (--session, BGBASH_SESSION) the owner is that session, stable across servers;
  // without, this server process is its own owner, for the client process that started it.
  const sessionId = options.session ?? (io.env.BGBASH_SESSION || undefined)
  const tm = await openTaskManager({
    home: options.home,
    ...(sessionId === undefined ? { client: findClientProcess() ?? unknownClient() } : { sessionId }),
    projectRoot: options.project,
    cwd: io.cwd,
    longRunningMs: options.longRunningMs === undefined ? undefined : Number(options.longRunningMs),
    // A model reads the rest with its own tool; the CLI's `bgbash logs` is for people.
    readHint: (taskId) => `read it with bash_output ${taskId}`,
    relativePaths: true,
    terseViews: true,
    logger,
  })
  const state = new McpState(tm)
  const { input, output } = early?.handOver() ?? {
    input: io.stdin as Readable,
    output: io.stdout as Writable,
  }
  const transport = new StdioServerTransport(input, output)
  const closed = new Promise<void>((resolve) => {
    serveStdio(
      () => createServer(tm, { state, version: readVersion(), logger, isStructured: options.structured }),
      {
        transport,
        onerror: (error) => logger.warn?.('protocol error', { error: error.message }),
      },
    )
    // serveStdio owns the transport's callbacks; chain onto its close handler to learn the end.
    const onclose = transport.onclose
    transport.onclose = () => {
      onclose?.()
      resolve()
    }
  })
  await closed
  state.dispose()
  await tm.close()
  return 0
}

function stderrLogger(stderr: NodeJS.WritableStream): Logger {
  const write = (level: string, message: string, data?: Record<string, unknown>) =>
    stderr.write(`bgbash mcp: ${level}: ${message}${data ? ` ${JSON.stringify(data)}` : ''}\n`)
  return {
    warn: (message, data) => write('warn', message, data),
    error: (message, data) => write('error', message, data),
  }
}

/** A client /proc cannot name: this server then inherits nothing (no other server matches it). */
function unknownClient(): { pid: number; startTime: number } {
  return { pid: process.ppid, startTime: -process.pid }
}
