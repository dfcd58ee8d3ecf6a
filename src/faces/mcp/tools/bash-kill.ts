import * as z from 'zod'
import { BgbashError, isTerminal } from '../../../index.js'
import { describeTask } from '../format.js'
import { intSchema, taskIdSchema } from '../params.js'
import { defineTool, type ToolContext } from '../tool.js'
import { recordToWire, taskRecordSchema } from '../wire.js'

/** Most tasks one call kills. */
const MAX_KILL_TASKS = 64

const resultSchema = z.object({
  task_id: z.string(),
  ok: z.boolean(),
  task: taskRecordSchema.optional().describe('The record after the kill (or as it is, for a dry run)'),
  would_signal: z.array(z.string()).optional().describe('Dry run: what a kill would signal'),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
})

export const bashKillTool = defineTool({
  name: 'bash_kill',
  title: 'Kill background tasks',
  description:
    'Stop tasks and every process they started, also what an ended task left running: SIGTERM, then ' +
    'SIGKILL after grace_ms.',
  inputSchema: z.strictObject({
    task_ids: z
      .array(taskIdSchema, { error: 'task_ids must be a list of task ids, e.g. ["bgb-1a2b3c4d"]' })
      .min(1, { error: 'task_ids must name at least one task' })
      .max(MAX_KILL_TASKS, { error: `task_ids may name at most ${MAX_KILL_TASKS} tasks` })
      .describe(`≤ ${MAX_KILL_TASKS}`),
    grace_ms: intSchema('grace_ms', 0, 60_000).optional().describe('Default 2000, max 60000'),
    dry_run: z
      .boolean({ error: 'dry_run must be true or false' })
      .optional()
      .describe('Signal nothing, list targets'),
  }),
  outputShape: {
    dry_run: z.boolean(),
    results: z.array(resultSchema),
  },
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  async run(args, ctx) {
    const isDryRun = args.dry_run === true
    const ids = [...new Set(args.task_ids)]
    const settled = await Promise.allSettled(
      ids.map((id) => (isDryRun ? ctx.tm.status(id) : kill(ctx, id, args))),
    )
    // A dry run lists the live process tree the engine would signal, by pid.
    const plans = isDryRun ? await Promise.all(ids.map((id) => ctx.tm.planKill(id).catch(() => []))) : []
    const results = settled.map((outcome, index) => {
      const taskId = ids[index]!
      if (outcome.status === 'rejected') {
        const error = outcome.reason as { code?: string; message?: string }
        return {
          task_id: taskId,
          ok: false,
          error: { code: error.code ?? 'internal_error', message: error.message ?? String(error) },
        }
      }
      const record = outcome.value
      return {
        task_id: taskId,
        ok: true,
        task: recordToWire(record),
        ...(isDryRun ? { would_signal: describeTargets(plans[index] ?? []) } : {}),
      }
    })
    const lines = results.map((result, index) => {
      const outcome = settled[index]!
      if (outcome.status === 'rejected') return `${result.task_id}: ${result.error?.message}`
      const record = outcome.value
      if (isDryRun) {
        return isTerminal(record.status)
          ? `${describeTask(record)}: already ended, nothing to signal`
          : `${describeTask(record)}\n  would signal: ${describeTargets(plans[index] ?? []).join('; ')}`
      }
      if (!record.alreadyFinished) return describeTask(record)
      const killed = record.killedLeftovers?.processes
      return killed?.length
        ? `${describeTask(record)} (had already ended; killed ${killed.length} process${killed.length === 1 ? '' : 'es'} it left running: ${killed.map((p) => `${p.pid} ${p.command.slice(0, 60)}`).join('; ')})`
        : `${describeTask(record)} (had already ended)`
    })
    const killed = results.filter((result) => result.ok).map((result) => result.task_id)
    if (killed.length === 0) {
      // Nothing was done: an error result, so the model notices.
      const first = (settled[0] as PromiseRejectedResult).reason
      if (settled.length === 1) throw first
      throw new BgbashError(first instanceof BgbashError ? first.code : 'invalid_request', lines.join('\n'))
    }
    return {
      text: `${isDryRun ? 'Dry run, nothing was signalled:\n' : ''}${lines.join('\n')}`,
      structured: { dry_run: isDryRun, results },
      // The kill result tells how they ended: no separate completion notice.
      reportedTaskIds: isDryRun ? [] : killed,
    }
  },
})

function kill(ctx: ToolContext, taskId: string, args: { grace_ms?: number }) {
  return ctx.tm.kill(taskId, { graceMs: args.grace_ms, by: 'mcp' })
}

/** What a kill would signal: each live process of the task, by pid and command line. */
function describeTargets(plan: Array<{ pid: number; command: string }>): string[] {
  return plan.map((proc) => `${proc.pid} ${proc.command.slice(0, 120)}`)
}
