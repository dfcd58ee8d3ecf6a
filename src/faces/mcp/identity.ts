// Who the server says it is in its `initialize` answer: shared by the SDK server and the early
// handshake, which answers before the SDK is loaded.

export const SERVER_NAME = 'bgbash'
export const SERVER_TITLE = 'bgbash: background shell tasks'

export const INSTRUCTIONS = `bgbash runs shell commands; long ones go on in the background as tasks that outlive this server.
When a background task ends you are told once, in a block on a later bgbash result. To wait for an end or a line of output, call bash_wait; never poll.`

/** What the server offers: tools (the SDK's McpServer adds listChanged). */
export const CAPABILITIES = { tools: { listChanged: true } }

/**
 * The 2025-era protocol versions the SDK negotiates by `initialize`, newest first: a client
 * asking for one gets it, any other client the first. Kept equal to the SDK's list by a test.
 */
export const INITIALIZE_PROTOCOL_VERSIONS = [
  '2025-11-25',
  '2025-06-18',
  '2025-03-26',
  '2024-11-05',
  '2024-10-07',
]

/** The `initialize` result the SDK would give for a request asking for `requested`. */
export function initializeResult(requested: unknown, version: string) {
  const protocolVersion = INITIALIZE_PROTOCOL_VERSIONS.includes(requested as string)
    ? (requested as string)
    : INITIALIZE_PROTOCOL_VERSIONS[0]
  return {
    protocolVersion,
    capabilities: CAPABILITIES,
    serverInfo: { name: SERVER_NAME, title: SERVER_TITLE, version },
    instructions: INSTRUCTIONS,
  }
}
