import type { Handler } from '../session.js'

/** `status`: the engine's version, its sessions and their running tasks. */
export const handleStatus: Handler = async (ctx) => {
  const session = await ctx.session()
  const running = await session.tm.list({ status: ['running', 'killing', 'starting'] })
  return {
    version: ctx.version,
    engine: 'bgbash',
    session_id: session.id,
    sessions: ctx.sessions().map((s) => s.id),
    running_tasks: running.map((r) => ({ task_id: r.taskId, command: r.command, started_at: r.startedAt })),
  }
}
