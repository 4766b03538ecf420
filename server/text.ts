/**
 * The one rule for text the platform accepts: no NUL character (PostgreSQL cannot store it in
 * `text` or `jsonb`) and no unpaired UTF-16 surrogate (not valid Unicode, so not storable as UTF-8).
 * Pure; the HTTP hook and the telemetry record checks both use it.
 */

/** Why a string breaks the rule, or null when it is storable. */
export function textProblem(s: string): string | null {
  if (s.includes('\u0000')) return 'contains a NUL character'
  if (!s.isWellFormed()) return 'contains an unpaired UTF-16 surrogate'
  return null
}

// deep enough for any body the API accepts; deeper structures are refused by their schemas anyway
const MAX_DEPTH = 64

/**
 * The first string (value or object key) in `value` that breaks the rule, with where it is
 * (`body.name`, `query.deployment_id`); undefined when every string is storable.
 */
export function findBadText(value: unknown, where: string, depth = 0): string | undefined {
  if (typeof value === 'string') {
    const p = textProblem(value)
    return p ? `${where} ${p}` : undefined
  }
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH || Buffer.isBuffer(value)) return undefined
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const bad = findBadText(value[i], `${where}[${i}]`, depth + 1)
      if (bad) return bad
    }
    return undefined
  }
  for (const [k, v] of Object.entries(value)) {
    const keyProblem = textProblem(k)
    if (keyProblem) return `a key of ${where} ${keyProblem}`
    const bad = findBadText(v, `${where}.${k}`, depth + 1)
    if (bad) return bad
  }
  return undefined
}
