/**
 * Runtime tokens (`oir_…`, kind 'runtime' in access_tokens): what an agent runtime authenticates
 * with. Onboarding hands one to the customer; the embedded runtime service mints its own per
 * customer and revokes them when it stops.
 */
import type { Db } from '../db/db.ts'
import type { Clock } from '../clock.ts'
import { hashToken, randomSecret } from '../auth/tokens.ts'
import { AGENT_TOKEN_PREFIX, RUNTIME_TOKEN_PREFIX } from '../http/auth.ts'

/** A freshly minted token: the secret is only ever in memory; the store keeps its hash. */
export interface MintedToken { id: string; token: string }

/** Creates a runtime token for a customer. */
export async function createRuntimeToken(db: Db, customerId: string, label: string): Promise<MintedToken> {
  const token = `${RUNTIME_TOKEN_PREFIX}${randomSecret(32)}`
  const rows = await db.query<{ id: string }>(
    `INSERT INTO access_tokens (kind, customer_id, token_hash, label) VALUES ('runtime', $1, $2, $3) RETURNING id`,
    [customerId, hashToken(token), label])
  return { id: rows[0]!.id, token }
}

/**
 * Creates a platform agent token (`oia_…`): what agent processes authenticate with, and what the
 * platform's own in-process components present to the fleet's endpoints.
 */
export async function createAgentToken(db: Db, label: string): Promise<MintedToken> {
  const token = `${AGENT_TOKEN_PREFIX}${randomSecret(32)}`
  const rows = await db.query<{ id: string }>(
    `INSERT INTO access_tokens (kind, token_hash, label) VALUES ('agent', $1, $2) RETURNING id`, [hashToken(token), label])
  return { id: rows[0]!.id, token }
}

/** Revokes tokens by id (idempotent; the row stays for the audit trail). */
export async function revokeTokens(db: Db, ids: string[], clock: Clock): Promise<void> {
  if (!ids.length) return
  await db.query('UPDATE access_tokens SET revoked_at = $2 WHERE id = ANY($1::uuid[]) AND revoked_at IS NULL', [ids, clock.now()])
}
