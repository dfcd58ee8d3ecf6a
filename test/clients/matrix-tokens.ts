import { encode } from 'gpt-tokenizer/encoding/o200k_base'

/** o200k tokens of a text, or of a value as JSON. */
export function tokensOf(value: unknown): number {
  return encode(typeof value === 'string' ? value : JSON.stringify(value)).length
}
