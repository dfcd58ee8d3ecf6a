import type { StandardSchemaWithJSON } from '@modelcontextprotocol/server'
import * as z from 'zod'

/**
 * Keywords left out of the input schemas a client shows the model: Codex strips them anyway, and
 * each tool's descriptions state its limits in words (every client shows those). Every limit is
 * still checked by the zod schema, with an error that names it.
 */
const LIMIT_KEYWORDS = new Set([
  'pattern',
  'minimum',
  'maximum',
  'minItems',
  'maxItems',
  'minLength',
  'maxLength',
])

/**
 * A tool's input schema as the SDK takes it: validated by zod, advertised as a lean JSON Schema
 * (no `$schema` line, no limit keywords). Tool definitions ride on every request a client sends
 * to the model, so each token here is paid many times.
 */
export function leanInputSchema(schema: z.ZodObject): StandardSchemaWithJSON {
  const json = lean(z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input' })) as Record<
    string,
    unknown
  >
  delete json.$schema
  return {
    '~standard': {
      version: 1,
      vendor: 'bgbash',
      validate: (value) => schema['~standard'].validate(value),
      jsonSchema: { input: () => json, output: () => json },
    },
  } as StandardSchemaWithJSON
}

function lean(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(lean)
  if (node === null || typeof node !== 'object') return node
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(node)) {
    if (LIMIT_KEYWORDS.has(key) && typeof value !== 'object') continue
    // Keys of a JSON object are strings anyway (zod writes it for every record).
    if (key === 'propertyNames') continue
    out[key] =
      key === 'properties'
        ? Object.fromEntries(Object.entries(value as object).map(([name, prop]) => [name, lean(prop)]))
        : lean(value)
  }
  return out
}
