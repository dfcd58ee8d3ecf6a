import { type CliContext, withManager } from '../context.js'
import { parseDuration } from '../duration.js'
import { writeLine } from '../io.js'
import { formatJson } from '../json.js'

export interface GcCommandOptions {
  olderThan?: string
  dryRun?: boolean
  /** Every project in the store, not just this one. */
  all?: boolean
}

/**
 * `bgbash gc`: removes this project's ended tasks past their retention (every project's with
 * --all), or with --older-than every ended task that finished longer ago than that; a completion
 * still owed to a live owner is kept its full retention. Running tasks are never removed.
 */
export async function runGc(ctx: CliContext, options: GcCommandOptions): Promise<number> {
  const olderThanMs =
    options.olderThan === undefined ? undefined : parseDuration(options.olderThan, '--older-than')
  return withManager(
    ctx,
    async (tm) => {
      const result = await tm.gc({
        olderThanMs,
        dryRun: options.dryRun === true,
        allProjects: options.all === true,
      })
      if (ctx.json) {
        ctx.io.stdout.write(formatJson({ ...result, dryRun: options.dryRun === true }))
        return 0
      }
      const verb = options.dryRun ? 'would remove' : 'removed'
      writeLine(
        ctx.io.stdout,
        `${verb} ${result.removed.length} ended task${result.removed.length === 1 ? '' : 's'}`,
      )
      for (const taskId of result.removed) writeLine(ctx.io.stdout, `  ${taskId}`)
      return 0
    },
    { readOnly: options.dryRun === true },
  )
}
