import type { Handler } from '../session.js'

/** `ping`: `pong`, with the session's owed completions when it has any (the server attaches them). */
export const handlePing: Handler = async () => ({ command: 'pong' })
