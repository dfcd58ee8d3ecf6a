import type { Handler } from '../session.js'
import { completionToWire } from '../wire.js'

/** `bash_drain_completions`: a peek at the owed completions (only ack removes them) and recent matches. */
export const handleBashDrainCompletions: Handler = async (ctx) => {
  const session = await ctx.session()
  const completions = await session.tm.peekCompletions()
  const matches = session.pendingMatches.splice(0)
  return { bg_completions: completions.map(completionToWire), pending_matches: matches }
}
