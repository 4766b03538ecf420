/**
 * Stored SLOs (migration 0013): one per deployment, declared by the customer or proposed by the
 * platform until the customer confirms it.
 */
import type { Db } from '../db/db.ts'
import type { FleetDeployment } from '../cloud/provider.ts'
import { proposeFor, type DeploymentSlo, type SloSource, type SloSpec } from './slo.ts'

interface Row {
  deployment_id: string; ttft_p95_ms: number | null; itl_p95_ms: number | null; e2e_p95_ms: number; e2e_p99_ms: number
  max_error_rate: number; min_quality: number; source: SloSource; updated_at: Date
}

function present(r: Row): DeploymentSlo {
  const n = (v: number | null) => (v === null ? null : Number(v))
  return {
    deployment_id: r.deployment_id, ttft_p95_ms: n(r.ttft_p95_ms), itl_p95_ms: n(r.itl_p95_ms), e2e_p95_ms: Number(r.e2e_p95_ms), e2e_p99_ms: Number(r.e2e_p99_ms),
    max_error_rate: Number(r.max_error_rate), min_quality: Number(r.min_quality), source: r.source, updated_at: new Date(r.updated_at).toISOString(),
  }
}

/** A customer's stored SLOs by deployment. */
export async function listSlos(db: Db, customerId: string): Promise<Map<string, DeploymentSlo>> {
  const rows = await db.query<Row>('SELECT * FROM deployment_slos WHERE customer_id = $1', [customerId])
  return new Map(rows.map((r) => [r.deployment_id, present(r)]))
}

/** Stores an SLO; `onlyIfAbsent` keeps an existing one (a proposal never overwrites a declaration). */
export async function putSlo(db: Db, customerId: string, deploymentId: string, s: SloSpec, source: SloSource, at: Date, onlyIfAbsent = false): Promise<void> {
  await db.query(
    `INSERT INTO deployment_slos (customer_id, deployment_id, ttft_p95_ms, itl_p95_ms, e2e_p95_ms, e2e_p99_ms, max_error_rate, min_quality, source, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
     ON CONFLICT (customer_id, deployment_id) DO ${onlyIfAbsent ? 'NOTHING' : `UPDATE SET ttft_p95_ms = EXCLUDED.ttft_p95_ms, itl_p95_ms = EXCLUDED.itl_p95_ms,
       e2e_p95_ms = EXCLUDED.e2e_p95_ms, e2e_p99_ms = EXCLUDED.e2e_p99_ms, max_error_rate = EXCLUDED.max_error_rate, min_quality = EXCLUDED.min_quality,
       source = EXCLUDED.source, updated_at = EXCLUDED.updated_at`}`,
    [customerId, deploymentId, s.ttft_p95_ms, s.itl_p95_ms, s.e2e_p95_ms, s.e2e_p99_ms, s.max_error_rate, s.min_quality, source, at])
}

/** The SLO of a deployment: the stored one, else the proposal (not stored). */
export function sloOf(stored: Map<string, DeploymentSlo>, d: FleetDeployment, at: Date): DeploymentSlo {
  return stored.get(d.id) ?? { deployment_id: d.id, ...proposeFor(d), source: 'proposed', updated_at: at.toISOString() }
}

/** Every deployment's SLO, storing a proposal for those without one. */
export async function slosOf(db: Db, customerId: string, deployments: FleetDeployment[], at: Date): Promise<DeploymentSlo[]> {
  const stored = await listSlos(db, customerId)
  for (const d of deployments.filter((x) => !stored.has(x.id))) await putSlo(db, customerId, d.id, proposeFor(d), 'proposed', at, true)
  const fresh = deployments.some((d) => !stored.has(d.id)) ? await listSlos(db, customerId) : stored
  return deployments.map((d) => sloOf(fresh, d, at))
}
