/**
 * fast-check arbitraries for hostile requests: path values, query strings, bodies and tokens that
 * a careless or malicious client sends. Known ids are mixed in so requests reach past the router
 * and the tenancy checks into the handlers.
 */
import fc from 'fast-check'
import type { Operation } from './operations.ts'

/** Strings PostgreSQL and parsers choke on, beside ordinary ones. */
export const nastyString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.constantFrom('a\u0000b', '\ud800', 'x\udc00y', '../../etc/passwd', "' OR 1=1 --", '%00', '%E0%A4%A', '${7*7}', '<script>', '🚀'.repeat(50), ''),
  fc.string({ minLength: 300, maxLength: 2000 }),
  fc.uuid().map(String),
  fc.integer().map(String),
)

export interface FuzzContext {
  /** Ids that exist for the fuzzing customer (customer id, deployments, recommendations…). */
  knownIds: string[]
  /** Credentials of every kind, by name. */
  tokens: Record<string, string | null>
}

export interface FuzzRequest { method: string; url: string; body: string | undefined; contentType: string | undefined; tokenKind: string; authorization: string | undefined }

const bodyValue = fc.oneof(
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc.dictionary(nastyString, fc.oneof(nastyString, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(nastyString, { maxLength: 5 }))).map((v) => JSON.stringify(v)),
  fc.constantFrom('{', '{"a":', 'null', '[]', '"\\u0000"', '{"__proto__":{"admin":true}}', '{"constructor":{"prototype":{"x":1}}}'),
  fc.string({ unit: 'binary' }),
)

/** Percent-encodes like a client; a lone surrogate (not UTF-8 encodable) goes as its WTF-8 bytes. */
export function encodeAny(v: string): string {
  try {
    return encodeURIComponent(v)
  } catch {
    return encodeURIComponent(v.toWellFormed()) + '%ED%A0%80'
  }
}

function encodePath(v: string): string {
  // the raw hostile spellings reach the router as such; the rest is encoded as a client would
  return /^%|\.\./.test(v) ? v : encodeAny(v)
}

/** One hostile request against `op`. */
export function requestFor(op: Operation, ctx: FuzzContext): fc.Arbitrary<FuzzRequest> {
  const idOrNasty = ctx.knownIds.length && op.method !== 'DELETE' ? fc.oneof(fc.constantFrom(...ctx.knownIds), nastyString) : nastyString
  const pathValues = fc.tuple(...op.pathParams.map(() => idOrNasty))
  const query = fc.array(fc.tuple(fc.oneof(fc.constantFrom(...(op.queryParams.length ? op.queryParams : ['q'])), nastyString), nastyString), { maxLength: 4 })
  const token = fc.constantFrom(...Object.keys(ctx.tokens))
  // mostly well-formed, so valid tokens get past authentication into the handlers
  const authSpelling = fc.oneof({ weight: 6, arbitrary: fc.constant('Bearer ') }, { weight: 1, arbitrary: fc.constantFrom('bearer ', 'Bearer  ', 'Basic ', '') })
  const body = op.hasBody ? fc.option(bodyValue, { nil: undefined }) : fc.constant(undefined)
  const contentType = fc.constantFrom('application/json', 'application/json', 'text/plain', 'application/x-www-form-urlencoded', undefined)
  return fc.record({ pathValues, query, token, authSpelling, body, contentType }).map((r) => {
    let i = 0
    const path = op.path.replace(/\{[^}]+\}/g, () => encodePath(r.pathValues[i++] ?? ''))
    const qs = r.query.map(([k, v]) => `${encodeAny(k)}=${encodeAny(v)}`).join('&')
    const raw = ctx.tokens[r.token]
    return {
      method: op.method, url: qs ? `${path}?${qs}` : path, body: r.body,
      contentType: r.body === undefined ? undefined : r.contentType, tokenKind: r.token,
      authorization: raw === null || raw === undefined ? undefined : `${r.authSpelling}${raw}`,
    }
  })
}
