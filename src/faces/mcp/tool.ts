import type { CallToolResult, McpServer, ServerContext, ToolAnnotations } from '@modelcontextprotocol/server'
import * as z from 'zod'
import { BgbashError, type Completion, type Logger, type TaskManager } from '../../index.js'
import { formatNotices } from './format.js'
import { leanInputSchema } from './schema.js'
import type { McpState } from './state.js'
import { completionToWire, noticesShape, noticeToWire } from './wire.js'

/** What every tool handler may use. */
export interface ToolDeps {
  tm: TaskManager
  state: McpState
  logger: Logger
  /**
   * Also send `structuredContent` (and declare output schemas), for programmatic clients. Off by
   * default: clients forward either the text or the JSON, never both, so the text alone is what
   * every model reads the same way (docs/architecture.md, "What the model reads").
   */
  isStructured?: boolean
}

export interface ToolContext extends ToolDeps {
  /** The MCP request being served: its abort signal, progress token and notify. */
  request: ServerContext
}

/** A tool's answer before the session's notices are added to it. */
export interface ToolReply {
  text: string
  /**
   * One line per task the reply is about, put after `text`. A task whose completion rides on the
   * same result is left out: its completion block says how it ended, once.
   */
  taskLines?: Array<{ taskId: string; line: string }>
  structured: Record<string, unknown>
  /** Tasks whose end this reply reports itself: their completions are claimed so they are not repeated. */
  reportedTaskIds?: string[]
  /** The reported tasks were started by this very call and answered inline (kept 1 h, off default lists). */
  isAnsweredInline?: boolean
}

export interface ToolDefinition<Input extends z.ZodObject> {
  name: string
  title: string
  /** Tells the model when to use the tool (and when not to). */
  description: string
  inputSchema: Input
  /** The tool's own result fields; `completions` and `long_running` are added to every tool. */
  outputShape: z.ZodRawShape
  annotations: ToolAnnotations
  run(args: z.output<Input>, ctx: ToolContext): Promise<ToolReply>
}

/** Identity, for type inference of `run`'s arguments. */
export function defineTool<Input extends z.ZodObject>(
  definition: ToolDefinition<Input>,
): ToolDefinition<Input> {
  return definition
}

/** Registers a tool whose every result (errors included) carries what the session is owed. */
export function registerTool<Input extends z.ZodObject>(
  server: McpServer,
  deps: ToolDeps,
  definition: ToolDefinition<Input>,
): void {
  server.registerTool(
    definition.name,
    {
      title: definition.title,
      description: definition.description,
      inputSchema: leanInputSchema(definition.inputSchema),
      ...(deps.isStructured ? { outputSchema: outputSchemaOf(definition.outputShape) } : {}),
      annotations: { title: definition.title, ...definition.annotations },
    },
    (args, request) =>
      replyWithNotices(deps, request.mcpReq.signal, () =>
        definition.run(args as z.output<Input>, { ...deps, request }),
      ),
  )
}

/**
 * Runs a handler and turns its reply or error into a tool result, then claims the session's owed
 * completions and adds them (and due reminders) as an extra text block and in `structuredContent`.
 * Claiming marks them delivered, so each completion rides on exactly one result; the result of a
 * cancelled request is never sent, so it claims nothing.
 */
export async function replyWithNotices(
  deps: ToolDeps,
  signal: AbortSignal,
  run: () => Promise<ToolReply>,
): Promise<CallToolResult> {
  let reply: ToolReply | undefined
  let failure: { code: string; message: string } | undefined
  try {
    reply = await run()
  } catch (error) {
    failure = describeError(error)
    if (!(error instanceof BgbashError)) deps.logger.error?.('tool failed', { error: String(error) })
  }
  if (signal.aborted) return { content: [{ type: 'text', text: 'Cancelled.' }], isError: true }
  if (reply?.reportedTaskIds?.length) {
    await deps.tm
      .ackCompletions(reply.reportedTaskIds, { answeredInline: reply.isAnsweredInline })
      .catch((error: unknown) => {
        // The reply already tells the model how these tasks ended; at worst it is told twice.
        deps.logger.warn?.('could not mark reported tasks delivered', { error: String(error) })
      })
  }
  const completions = await deps.tm.takeCompletions().catch((error: unknown): Completion[] => {
    // They stay owed on disk and ride on the next result.
    deps.logger.warn?.('could not claim completions', { error: String(error) })
    return []
  })
  const notices = deps.state.takeNotices()
  const owed = { completions: completions.map(completionToWire), long_running: notices.map(noticeToWire) }
  const content: CallToolResult['content'] = [
    {
      type: 'text',
      text: reply ? replyText(reply, completions) : `Error (${failure!.code}): ${failure!.message}`,
    },
  ]
  const noticeText = formatNotices(completions, notices)
  if (noticeText) content.push({ type: 'text', text: noticeText })
  if (!deps.isStructured) return reply ? { content } : { content, isError: true }
  if (!reply) return { content, isError: true, structuredContent: { error: failure, ...owed } }
  return { content, structuredContent: { ...reply.structured, ...owed } }
}

/** A reply's text and its task lines, but for the tasks whose completions come with it. */
function replyText(reply: ToolReply, completions: readonly Completion[]): string {
  const told = new Set(completions.map((completion) => completion.taskId))
  const lines = (reply.taskLines ?? []).filter(({ taskId }) => !told.has(taskId)).map(({ line }) => line)
  return [reply.text, ...lines].join('\n')
}

/**
 * A tool's declared output: its own fields, or an error, plus what the session is owed. Error
 * results must validate too (a client that checks them would otherwise replace the result, and
 * the completions riding on it, with a schema error), so the tool's fields are optional.
 */
function outputSchemaOf(shape: z.ZodRawShape) {
  return z.object({
    ...z.object(shape).partial().shape,
    error: z.object({ code: z.string(), message: z.string() }).optional(),
    ...noticesShape,
  })
}

function describeError(error: unknown): { code: string; message: string } {
  if (error instanceof BgbashError) return { code: error.code, message: error.message }
  return { code: 'internal_error', message: `bgbash failed unexpectedly: ${String(error)}` }
}
