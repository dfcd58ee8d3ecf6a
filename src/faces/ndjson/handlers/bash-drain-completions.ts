import type { Handler } from '../session.js'
import { owedCompletionToWire } from '../wire.js'

/** `bash_drain_completions`: a peek at the owed completions (only ack removes them) and recent matches. */
export const handleBashDrainCompletions: Handler = async (ctx) => {
  const session = await ctx.session()
  const completions = await session.tm.peekCompletions()
  const matches = session.pendingMatches.splice(0)
  return { bg_completions: completions.map(owedCompletionToWire), pending_matches: matches }
}
