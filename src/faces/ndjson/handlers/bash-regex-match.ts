import { readString } from '../params.js'
import { WireError } from '../protocol.js'
import type { Handler } from '../session.js'

/**
 * `bash_regex_match`: tests a regex (multiline: `^` and `$` match at line ends) on a text, as a
 * watch would: where the first match starts, in bytes (UTF-8) and in characters (code points).
 */
export const handleBashRegexMatch: Handler = async (_ctx, params) => {
  const source = readString('bash_regex_match', params, 'pattern', true)
  const text = readString('bash_regex_match', params, 'text', true)
  let pattern: RegExp
  try {
    pattern = new RegExp(source, 'mu')
  } catch (error) {
    throw new WireError('invalid_regex', `bash_regex_match: invalid regex: ${(error as Error).message}`)
  }
  const found = pattern.exec(text)
  if (!found) return { matched: false }
  const before = text.slice(0, found.index)
  return {
    matched: true,
    match_text: found[0],
    match_offset: Buffer.byteLength(before),
    match_index_chars: [...before].length,
  }
}
