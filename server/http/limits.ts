import type { FastifyInstance, FastifyRequest } from 'fastify'
import { errors } from '../errors.ts'

/**
 * Rate-limit keys and budgets. A limit keyed on header text is dodged by re-spelling the header
 * (`bearer T`, `Bearer  T`), so every key is an identity: the verified principal, or the client
 * address when nobody is verified yet.
 */

/** The key of the pre-authentication limits (signup, login, invalid tokens): always the address. */
export const addressKey = (req: FastifyRequest): string => `ip:${req.ip}`

/** The key of the general per-caller limit: who the auth hook verified, else the address. */
export function callerKey(req: FastifyRequest): string {
  const p = req.principal
  if (!p) return addressKey(req)
  return p.kind === 'user' ? `user:${p.userId}` : `${p.kind}:${p.tokenId}`
}

/** A budget of failed token presentations per address, checked before any token is looked up. */
export interface InvalidTokenBudget {
  /** Throws 429 when this address has used up its failures in the current window. */
  check(req: FastifyRequest): Promise<void>
  /** Counts one failed presentation. */
  spend(req: FastifyRequest): Promise<void>
}

/**
 * Built on the rate-limit plugin's own store (`createRateLimit`), so the window semantics and the
 * Retry-After figure are the plugin's; `increment: false` peeks without spending.
 */
export function invalidTokenBudget(app: FastifyInstance, maxPerMinute: number): InvalidTokenBudget {
  const limiter = app.createRateLimit({ max: maxPerMinute, timeWindow: '1 minute', keyGenerator: (req) => `badtoken:${addressKey(req)}` })
  return {
    async check(req) {
      const state = await limiter(req, { increment: false })
      if (!state.isAllowed && state.remaining === 0) {
        const retry = String(Math.max(1, state.ttlInSeconds ?? 1))
        throw Object.assign(new errors.OPT_RATE_LIMITED(`${retry} seconds`), { headers: { 'retry-after': retry } })
      }
    },
    async spend(req) { await limiter(req) },
  }
}
