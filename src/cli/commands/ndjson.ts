import { LineSplitter } from '../../faces/ndjson/framing.js'
import { NdjsonServer } from '../../faces/ndjson/server.js'
import type { CliIo } from '../io.js'
import { readVersion } from '../version.js'

/**
 * `bgbash ndjson`: serves AFT's background-bash protocol on stdin/stdout until stdin ends, then
 * closes its managers and leaves the tasks running for the next engine to adopt. Requests are
 * read in order; a held reply (a foreground call) goes out when ready, holding nothing else. Logs
 * go to stderr.
 */
export async function runNdjson(io: CliIo, options: { home?: string }): Promise<number> {
  const server = new NdjsonServer({
    home: options.home,
    projectRoot: io.cwd,
    version: readVersion(),
    write: (line) => io.stdout.write(`${line}\n`),
    logger: {
      warn: (message, data) => io.stderr.write(`bgbash ndjson: ${message} ${JSON.stringify(data ?? {})}\n`),
    },
  })
  const splitter = new LineSplitter()
  const handle = async (events: ReturnType<LineSplitter['push']>) => {
    for (const event of events) {
      if (event.kind === 'too_long') server.rejectLongLine(event.bytes)
      else await server.handleLine(event.text)
    }
  }
  for await (const chunk of io.stdin) await handle(splitter.push(chunk as Buffer))
  await handle(splitter.end())
  await server.close()
  return 0
}
