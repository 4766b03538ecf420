import { Ajv, type Options } from 'ajv'
import { createRequire } from 'node:module'
import type { FastifyInstance, FastifySchema } from 'fastify'

// ajv-formats ships CommonJS whose typed default export NodeNext cannot call; require it plainly.
const addFormats = createRequire(import.meta.url)('ajv-formats') as (ajv: Ajv) => Ajv

const base: Options = { useDefaults: true, removeAdditional: false, allErrors: false, strict: false }

/**
 * Two validators: query strings, params and headers arrive as text and are coerced to the
 * schema's types; JSON bodies are not, so `{"password": 5}` or `["a"]` for a string is a 400
 * instead of being silently turned into `"5"` / `"a"`.
 */
export function installValidation(app: FastifyInstance): void {
  const strict = addFormats(new Ajv({ ...base, coerceTypes: false }))
  const coercing = addFormats(new Ajv({ ...base, coerceTypes: 'array' }))
  app.setValidatorCompiler(({ schema, httpPart }: { schema: FastifySchema; httpPart?: string }) =>
    (httpPart === 'body' ? strict : coercing).compile(schema as object))
}
