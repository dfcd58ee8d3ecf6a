import { McpServer } from '@modelcontextprotocol/server'
import type { Logger, TaskManager } from '../../index.js'
import { INSTRUCTIONS, SERVER_NAME, SERVER_TITLE } from './identity.js'
import type { McpState } from './state.js'
import { registerTool, type ToolDeps } from './tool.js'
import { bashTool } from './tools/bash.js'
import { bashKillTool } from './tools/bash-kill.js'
import { bashListTool } from './tools/bash-list.js'
import { bashOutputTool } from './tools/bash-output.js'
import { bashWaitTool } from './tools/bash-wait.js'
import { bashWriteTool } from './tools/bash-write.js'

export interface CreateServerOptions {
  /** Shared by every instance built for one process (the stdio entry may build a probe instance first). */
  state: McpState
  version: string
  /** Where the server's own warnings go; nothing is logged by default (stdout is the protocol). */
  logger?: Logger
  /** Also send structuredContent and declare output schemas (ToolDeps.isStructured). */
  isStructured?: boolean
}

/**
 * The bgbash MCP server: its tools over one task manager. It knows nothing of its transport;
 * `bgbash mcp` serves it on stdio.
 */
export function createServer(tm: TaskManager, options: CreateServerOptions): McpServer {
  const server = new McpServer(
    { name: SERVER_NAME, title: SERVER_TITLE, version: options.version },
    { capabilities: { tools: {} }, instructions: INSTRUCTIONS },
  )
  const deps: ToolDeps = {
    tm,
    state: options.state,
    logger: options.logger ?? {},
    isStructured: options.isStructured === true,
  }
  registerTool(server, deps, bashTool)
  registerTool(server, deps, bashWaitTool)
  registerTool(server, deps, bashOutputTool)
  registerTool(server, deps, bashListTool)
  registerTool(server, deps, bashKillTool)
  registerTool(server, deps, bashWriteTool)
  return server
}
