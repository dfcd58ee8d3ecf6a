import { readBoolean, readTaskId } from '../params.js'
import { WireError } from '../protocol.js'
import type { Handler } from '../session.js'

/** Keys a harness may send by name (`{key: "enter"}`). */
const KEYS: Record<string, string> = {
  enter: '\n',
  tab: '\t',
  escape: '\u001b',
  'ctrl-c': '\u0003',
  'ctrl-d': '\u0004',
}

function toText(input: unknown): string {
  if (typeof input === 'string') return input
  if (Array.isArray(input)) return input.map(toText).join('')
  if (input && typeof input === 'object' && typeof (input as { key?: unknown }).key === 'string') {
    const key = KEYS[(input as { key: string }).key.toLowerCase()]
    if (key !== undefined) return key
  }
  throw new WireError(
    'invalid_request',
    'bash_write: input must be a string, a list of strings, or {key: "enter"}',
  )
}

/** `bash_write`: writes to the stdin of a task started with `stdin: true`; `eof` ends its input. */
export const handleBashWrite: Handler = async (ctx, params) => {
  const taskId = readTaskId('bash_write', params)
  const eof = readBoolean('bash_write', params, 'eof', false)
  if (params.input === undefined && !eof) throw new WireError('invalid_request', 'bash_write: missing input')
  const text = params.input === undefined ? '' : toText(params.input)
  const { tm } = await ctx.session()
  return { bytes_written: await tm.write(taskId, text, { eof }) }
}
