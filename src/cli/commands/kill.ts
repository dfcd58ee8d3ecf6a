import { type CliContext, resolveTaskIds, withManager } from '../context.js'
import { parseDuration } from '../duration.js'
import { writeLine } from '../io.js'
import { formatJson } from '../json.js'
import { colorStatus, formatProcess } from '../table.js'

export interface KillCommandOptions {
  grace?: string
  dryRun?: boolean
  all?: boolean
}

/** `bgbash kill <id…>`: ends each task's whole tree (TERM, then KILL after the grace). */
export async function runKill(
  ctx: CliContext,
  inputs: string[],
  options: KillCommandOptions,
): Promise<number> {
  const graceMs = options.grace === undefined ? undefined : parseDuration(options.grace, '--grace')
  return withManager(
    ctx,
    async (tm) => {
      const taskIds = await resolveTaskIds(tm, inputs, options.all === true)
      if (options.dryRun) {
        const plans = await Promise.all(
          taskIds.map(async (taskId) => ({
            taskId,
            record: await tm.status(taskId, { allSessions: true }),
            processes: await tm.planKill(taskId, { allSessions: true }),
          })),
        )
        if (ctx.json) {
          ctx.io.stdout.write(formatJson(plans.map(({ taskId, processes }) => ({ taskId, processes }))))
          return 0
        }
        for (const plan of plans) {
          writeLine(
            ctx.io.stdout,
            `${ctx.color.bold(plan.taskId)}: ${plan.processes.length === 0 ? 'nothing running, nothing to signal' : `would signal ${plan.processes.length} process${plan.processes.length === 1 ? '' : 'es'}`}`,
          )
          for (const proc of plan.processes) {
            writeLine(ctx.io.stdout, formatProcess(proc, ctx.isTty ? ctx.columns : undefined))
          }
        }
        return 0
      }
      const records = await Promise.all(
        taskIds.map((taskId) => tm.kill(taskId, { graceMs, by: 'cli', allSessions: options.all === true })),
      )
      if (ctx.json) {
        ctx.io.stdout.write(formatJson(records))
        return 0
      }
      for (const record of records) {
        const killedLeft = record.killedLeftovers?.processes.length ?? 0
        const note = record.alreadyFinished
          ? ctx.color.dim(
              killedLeft > 0
                ? ` (had already ended; killed ${killedLeft} process${killedLeft === 1 ? '' : 'es'} it left running)`
                : ' (had already ended)',
            )
          : record.signal
            ? ctx.color.dim(` (${record.signal})`)
            : ''
        writeLine(ctx.io.stdout, `${record.taskId}  ${colorStatus(record.status, ctx.color)}${note}`)
      }
      return 0
    },
    { readOnly: options.dryRun === true },
  )
}
