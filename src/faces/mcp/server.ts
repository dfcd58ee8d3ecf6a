import { McpServer } from '@modelcontextprotocol/server'
import type { Logger, TaskManager } from '../../index.js'
import type { McpState } from './state.js'
import { registerTool, type ToolDeps } from './tool.js'
import { bashTool } from './tools/bash.js'
import { bashKillTool } from './tools/bash-kill.js'
import { bashListTool } from './tools/bash-list.js'
import { bashOutputTool } from './tools/bash-output.js'
import { bashStatusTool } from './tools/bash-status.js'
import { bashWaitTool } from './tools/bash-wait.js'
import { bashWriteTool } from './tools/bash-write.js'

export interface CreateServerOptions {
  /** Shared by every instance built for one process (the stdio entry may build a probe instance first). */
  state: McpState
  version: string
  /** Where the server's own warnings go; nothing is logged by default (stdout is the protocol). */
  logger?: Logger
}

const INSTRUCTIONS = `bgbash runs shell commands, in the foreground or in the background.
- bash runs a command and waits up to 30 s; longer commands keep running in the background and you get a task id. Use background: true for servers, watchers and long builds.
- When a background task ends you are told once, in an extra block on a later tool result (any bgbash tool).
- To wait for a task to end or print something (e.g. "ready"), call bash_wait — do not poll bash_status or bash_output.
- Tasks outlive this server; bash_list shows them, bash_kill stops one and everything it started.`

/**
 * The bgbash MCP server: its tools over one task manager. It knows nothing of its transport;
 * `bgbash mcp` serves it on stdio.
 */
export function createServer(tm: TaskManager, options: CreateServerOptions): McpServer {
  const server = new McpServer(
    { name: 'bgbash', title: 'bgbash: background shell tasks', version: options.version },
    { capabilities: { tools: {} }, instructions: INSTRUCTIONS },
  )
  const deps: ToolDeps = { tm, state: options.state, logger: options.logger ?? {} }
  registerTool(server, deps, bashTool)
  registerTool(server, deps, bashWaitTool)
  registerTool(server, deps, bashOutputTool)
  registerTool(server, deps, bashStatusTool)
  registerTool(server, deps, bashListTool)
  registerTool(server, deps, bashKillTool)
  registerTool(server, deps, bashWriteTool)
  return server
}
