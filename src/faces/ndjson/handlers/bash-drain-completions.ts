import type { Handler } from '../session.js'
import { owedCompletionToWire } from '../wire.js'

/**
 * `bash_drain_completions`: a peek at the owed completions and at the watch frames not acked yet
 * (only `bash_ack_completions` removes either).
 */
export const handleBashDrainCompletions: Handler = async (ctx) => {
  const session = await ctx.session()
  const completions = await session.tm.peekCompletions()
  return {
    bg_completions: completions.map(owedCompletionToWire),
    pending_matches: ctx.watches.pendingFor(session.id),
  }
}
