/**
 * SQL of onboarding: a customer's cloud account and discovery status, and the agent runtimes
 * that connected with the customer's runtime tokens.
 */
import type { Db } from '../db/db.ts'
import { hashToken } from '../auth/tokens.ts'

/** Discovery status of a customer's fleet. */
export type DiscoveryStatus = 'pending' | 'discovering' | 'discovered' | 'failed'

/** An onboarding row. */
export interface OnboardingRow {
  customer_id: string; cloud_provider: 'aws' | 'gcp'; region: string; iam_role_arn: string | null; project_id: string | null
  source: 'onboard' | 'registered'; status: DiscoveryStatus; error: string | null; attempts: number
  instances_found: number; deployments_found: number; started_at: Date; discovered_at: Date | null; updated_at: Date
}

/** The onboarding of a customer, if any. */
export async function getOnboarding(db: Db, customerId: string): Promise<OnboardingRow | undefined> {
  return (await db.query<OnboardingRow>('SELECT * FROM customer_onboarding WHERE customer_id = $1', [customerId]))[0]
}

/** Starts (or restarts) onboarding of a cloud account: status pending. */
export async function upsertOnboarding(tx: Db, r: Pick<OnboardingRow, 'customer_id' | 'cloud_provider' | 'region' | 'iam_role_arn' | 'project_id' | 'source' | 'status'>, now: Date): Promise<OnboardingRow> {
  const rows = await tx.query<OnboardingRow>(
    `INSERT INTO customer_onboarding (customer_id, cloud_provider, region, iam_role_arn, project_id, source, status, started_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)
     ON CONFLICT (customer_id) DO UPDATE SET cloud_provider = EXCLUDED.cloud_provider, region = EXCLUDED.region,
       iam_role_arn = EXCLUDED.iam_role_arn, project_id = EXCLUDED.project_id, source = EXCLUDED.source, status = EXCLUDED.status,
       error = NULL, started_at = EXCLUDED.started_at, updated_at = EXCLUDED.updated_at
     RETURNING *`,
    [r.customer_id, r.cloud_provider, r.region, r.iam_role_arn, r.project_id, r.source, r.status, now])
  return rows[0]!
}

/** Moves discovery along; `from` guards against racing runs (null: any state). */
export async function setDiscovery(db: Db, customerId: string, s: { status: DiscoveryStatus; error?: string | null; instances?: number; deployments?: number; from?: DiscoveryStatus[] }, now: Date): Promise<OnboardingRow | undefined> {
  const rows = await db.query<OnboardingRow>(
    `UPDATE customer_onboarding SET status = $2, error = $3, instances_found = COALESCE($4, instances_found), deployments_found = COALESCE($5, deployments_found),
       attempts = attempts + CASE WHEN $2 = 'discovering' THEN 1 ELSE 0 END,
       discovered_at = CASE WHEN $2 = 'discovered' THEN $6 ELSE discovered_at END, updated_at = $6
     WHERE customer_id = $1 AND ($7::text[] IS NULL OR status = ANY($7::text[])) RETURNING *`,
    [customerId, s.status, s.error ?? null, s.instances ?? null, s.deployments ?? null, now, s.from ?? null])
  return rows[0]
}

/** Onboardings left pending or discovering (a restart resumes them). */
export async function unfinishedDiscoveries(db: Db): Promise<string[]> {
  return (await db.query<{ customer_id: string }>(`SELECT customer_id FROM customer_onboarding WHERE status IN ('pending', 'discovering')`)).map((r) => r.customer_id)
}

/** Customers whose fleet is discovered: the ones in-process agents keep monitoring. */
export async function discoveredCustomers(db: Db, limit = 1000): Promise<string[]> {
  return (await db.query<{ customer_id: string }>(`SELECT customer_id FROM customer_onboarding WHERE status = 'discovered' ORDER BY customer_id LIMIT $1`, [limit])).map((r) => r.customer_id)
}

/** Customers that never onboarded (a fleet seeded straight into the simulator, e.g. the demo's). */
export async function customersWithoutOnboarding(db: Db, limit = 500): Promise<string[]> {
  return (await db.query<{ id: string }>(
    `SELECT c.id FROM customers c LEFT JOIN customer_onboarding o ON o.customer_id = c.id WHERE o.customer_id IS NULL ORDER BY c.created_at, c.id LIMIT $1`, [limit])).map((r) => r.id)
}

/** A runtime token by its secret (live or revoked), to tell "unknown" from "someone else's". */
export async function findRuntimeToken(db: Db, token: string): Promise<{ id: string; customer_id: string; revoked_at: Date | null } | undefined> {
  return (await db.query<{ id: string; customer_id: string; revoked_at: Date | null }>(
    `SELECT id, customer_id, revoked_at FROM access_tokens WHERE token_hash = $1 AND kind = 'runtime'`, [hashToken(token)]))[0]
}

/** Records (or refreshes) a runtime's connection. */
export async function upsertConnection(db: Db, c: { customerId: string; tokenId: string; hostname: string; version: string }, now: Date): Promise<string> {
  const rows = await db.query<{ id: string }>(
    `INSERT INTO runtime_connections (customer_id, token_id, hostname, version, connected_at, last_seen_at) VALUES ($1, $2, $3, $4, $5, $5)
     ON CONFLICT (token_id, hostname) DO UPDATE SET version = EXCLUDED.version, last_seen_at = EXCLUDED.last_seen_at RETURNING id`,
    [c.customerId, c.tokenId, c.hostname, c.version, now])
  return rows[0]!.id
}

/** A customer's runtime tokens (never the secrets) with their connections. */
export async function listRuntimeTokens(db: Db, customerId: string) {
  const rows = await db.query<{ id: string; label: string; created_at: Date; revoked_at: Date | null; connections: number; last_seen_at: Date | null }>(
    `SELECT t.id, t.label, t.created_at, t.revoked_at, count(c.id)::int AS connections, max(c.last_seen_at) AS last_seen_at
     FROM access_tokens t LEFT JOIN runtime_connections c ON c.token_id = t.id
     WHERE t.customer_id = $1 AND t.kind = 'runtime' GROUP BY t.id ORDER BY t.created_at DESC, t.id`, [customerId])
  const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null)
  return rows.map((r) => ({ ...r, created_at: iso(r.created_at), revoked_at: iso(r.revoked_at), last_seen_at: iso(r.last_seen_at) }))
}

/** Whether a runtime token belongs to the customer. */
export async function runtimeTokenOf(db: Db, customerId: string, tokenId: string): Promise<{ revoked_at: Date | null } | undefined> {
  return (await db.query<{ revoked_at: Date | null }>(`SELECT revoked_at FROM access_tokens WHERE id = $1 AND customer_id = $2 AND kind = 'runtime'`, [tokenId, customerId]))[0]
}
