import fp from 'fastify-plugin'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { errors } from '../errors.ts'
import type { TokenService } from '../auth/tokens.ts'
import { hashToken } from '../auth/tokens.ts'
import type { Db } from '../db/db.ts'
import { invalidTokenBudget } from './limits.ts'

/** Who is calling: a user (JWT), a customer's agent runtime, or a platform agent process. */
export type Principal =
  | { kind: 'user'; userId: string; role: 'admin' | 'customer'; customerId: string | null }
  | { kind: 'runtime'; customerId: string; tokenId: string }
  | { kind: 'agent'; tokenId: string }

declare module 'fastify' {
  interface FastifyRequest { principal: Principal | null }
}

/** Opaque tokens: `oir_` for a customer's agent runtime, `oia_` for platform agent processes. */
export const RUNTIME_TOKEN_PREFIX = 'oir_'
export const AGENT_TOKEN_PREFIX = 'oia_'

/** Resolves a bearer string to a principal, or null when it is not valid. */
export async function resolvePrincipal(raw: string, tokens: TokenService, db: Db): Promise<Principal | null> {
  if (raw.startsWith(RUNTIME_TOKEN_PREFIX) || raw.startsWith(AGENT_TOKEN_PREFIX)) {
    const rows = await db.query<{ id: string; customer_id: string | null; kind: string }>(
      'SELECT id, customer_id, kind FROM access_tokens WHERE token_hash = $1 AND revoked_at IS NULL', [hashToken(raw)])
    const row = rows[0]
    if (!row) return null
    if (row.kind === 'runtime' && row.customer_id) return { kind: 'runtime', customerId: row.customer_id, tokenId: row.id }
    if (row.kind === 'agent') return { kind: 'agent', tokenId: row.id }
    return null
  }
  const claims = await tokens.verify(raw)
  if (!claims) return null
  // signature and expiry are not enough: logout, disabling or deleting the user revoke at once
  const rows = await db.query<{ token_version: number; disabled_at: Date | null }>('SELECT token_version, disabled_at FROM users WHERE id = $1', [claims.userId])
  const user = rows[0]
  if (!user || user.disabled_at || user.token_version !== claims.tokenVersion) return null
  const { tokenVersion: _v, ...who } = claims
  return { kind: 'user', ...who }
}

/**
 * The one Authorization parser: scheme `Bearer` in any case, one or more spaces, one token68
 * (RFC 7235). Any other shape is '' (invalid), so no spelling of the header names another caller.
 */
export function parseBearer(header: string): string {
  return /^Bearer +([A-Za-z0-9._~+/-]+=*)$/i.exec(header)?.[1] ?? ''
}

/** Reads the bearer token from the Authorization header (or `?token=` for WebSocket upgrades). */
export function bearerOf(request: FastifyRequest): string | null {
  const header = request.headers.authorization
  if (header !== undefined) return parseBearer(header)
  const q = (request.query as Record<string, unknown> | undefined)?.token
  return typeof q === 'string' && request.headers.upgrade ? q : null
}

/**
 * Decorates every request with its principal; an invalid token is 401 even on public routes. An
 * address that keeps presenting invalid tokens gets 429 before any lookup (guessing costs us nothing).
 */
export const authPlugin = fp(async (app: FastifyInstance, opts: { tokens: TokenService; db: Db; invalidTokensPerMinute: number }) => {
  app.decorateRequest('principal', null)
  const budget = invalidTokenBudget(app, opts.invalidTokensPerMinute)
  app.addHook('onRequest', async (request) => {
    const raw = bearerOf(request)
    if (raw === null) return
    await budget.check(request)
    const principal = raw ? await resolvePrincipal(raw, opts.tokens, opts.db) : null
    if (!principal) {
      await budget.spend(request)
      throw new errors.OPT_AUTH_INVALID_TOKEN()
    }
    request.principal = principal
  })
}, { name: 'optiinfra-auth' })

/** The calling user; agent and runtime tokens cannot act as a user. */
export function requireUser(request: FastifyRequest): Extract<Principal, { kind: 'user' }> {
  const p = request.principal
  if (!p) throw new errors.OPT_AUTH_REQUIRED()
  if (p.kind !== 'user') throw new errors.OPT_AUTH_FORBIDDEN()
  return p
}

/** The calling admin. */
export function requireAdmin(request: FastifyRequest): Extract<Principal, { kind: 'user' }> {
  const user = requireUser(request)
  if (user.role !== 'admin') throw new errors.OPT_AUTH_FORBIDDEN()
  return user
}

/** A user who may act for `customerId`: an admin, or that customer's own user. */
/**
 * The simulated fleet's endpoints (metrics, chat) answer only the fleet's own scrapers and
 * clients: that customer's runtime token, a platform agent token (canary analysis, agents) or an
 * admin. A customer's user token is refused like any other caller: the fleet is not the portal.
 */
export function requireFleetAccess(request: FastifyRequest, customerId: string): void {
  const p = request.principal
  if (!p) throw new errors.OPT_AUTH_REQUIRED()
  if (p.kind === 'agent' || (p.kind === 'user' && p.role === 'admin')) return
  if (p.kind === 'runtime' && p.customerId === customerId) return
  throw new errors.OPT_AUTH_FORBIDDEN()
}

export function requireCustomerAccess(request: FastifyRequest, customerId: string): Extract<Principal, { kind: 'user' }> {
  const user = requireUser(request)
  if (user.role !== 'admin' && user.customerId !== customerId) throw new errors.OPT_AUTH_FORBIDDEN()
  return user
}

/** A platform agent process or an admin (agents register and heartbeat with either). */
export function requireAgentOrAdmin(request: FastifyRequest): Principal {
  const p = request.principal
  if (!p) throw new errors.OPT_AUTH_REQUIRED()
  if (p.kind === 'agent' || (p.kind === 'user' && p.role === 'admin')) return p
  throw new errors.OPT_AUTH_FORBIDDEN()
}

/** A display name for the audit trail. */
export function actorOf(p: Principal | null): string {
  if (!p) return 'anonymous'
  if (p.kind === 'user') return `user:${p.userId}`
  return `${p.kind}:${p.tokenId}`
}
