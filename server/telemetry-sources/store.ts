import type { Db } from '../db/db.ts'
import type { DiscoveredDeployment } from './cluster.ts'

/** A source as stored (headers included: only the poller reads them). */
export interface SourceRow {
  id: string
  customer_id: string
  kind: 'prometheus'
  url: string
  headers: Record<string, string>
  deployment_label: string
  group_label: string
  created_at: string
  last_poll_at: string | null
  last_success_at: string | null
  series_found: number
  deployments: string[]
  /** The last successful poll's picture of the cluster (empty until one succeeds). */
  fleet: DiscoveredDeployment[]
  /** Whether that poll found kube-state-metrics series. */
  cluster_state: boolean
  polls: number
  failures: number
  last_error: string | null
}

/** What one poll found. */
export type PollOutcome = { ok: true; series: number; deployments: string[]; fleet: DiscoveredDeployment[]; clusterState: boolean } | { ok: false; error: string }

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString())
const present = (r: SourceRow): SourceRow => ({ ...r, created_at: iso(r.created_at)!, last_poll_at: iso(r.last_poll_at), last_success_at: iso(r.last_success_at) })

export async function insertSource(db: Db, s: { customerId: string; url: string; headers: Record<string, string>; deploymentLabel: string; groupLabel: string }, now: Date): Promise<SourceRow | null> {
  const rows = await db.query<SourceRow>(
    `INSERT INTO telemetry_sources (customer_id, kind, url, headers, deployment_label, group_label, created_at) VALUES ($1, 'prometheus', $2, $3, $4, $5, $6)
     ON CONFLICT (customer_id, url) DO NOTHING RETURNING *`, [s.customerId, s.url, JSON.stringify(s.headers), s.deploymentLabel, s.groupLabel, now])
  return rows[0] ? present(rows[0]) : null
}

export async function listSources(db: Db, customerId?: string): Promise<SourceRow[]> {
  const rows = customerId === undefined
    ? await db.query<SourceRow>('SELECT * FROM telemetry_sources ORDER BY created_at, id')
    : await db.query<SourceRow>('SELECT * FROM telemetry_sources WHERE customer_id = $1 ORDER BY created_at, id', [customerId])
  return rows.map(present)
}

export async function deleteSource(db: Db, customerId: string, id: string): Promise<boolean> {
  return (await db.query('DELETE FROM telemetry_sources WHERE customer_id = $1 AND id = $2 RETURNING id', [customerId, id])).length > 0
}

/** Records a poll's outcome as the source's health. */
export async function recordPoll(db: Db, id: string, outcome: PollOutcome, at: Date): Promise<void> {
  if (outcome.ok) {
    await db.query(`UPDATE telemetry_sources SET last_poll_at = $2, last_success_at = $2, series_found = $3, deployments = $4, fleet = $5, cluster_state = $6, polls = polls + 1, last_error = NULL WHERE id = $1`,
      [id, at, outcome.series, outcome.deployments, JSON.stringify(outcome.fleet), outcome.clusterState])
  } else {
    await db.query('UPDATE telemetry_sources SET last_poll_at = $2, polls = polls + 1, failures = failures + 1, last_error = $3 WHERE id = $1', [id, at, outcome.error.slice(0, 1000)])
  }
}

/** Customers whose telemetry comes from a source (the embedded runtime leaves them alone). */
export async function customersWithSources(db: Db): Promise<Set<string>> {
  return new Set((await db.query<{ customer_id: string }>('SELECT DISTINCT customer_id FROM telemetry_sources')).map((r) => r.customer_id))
}

/** The URL of a source whose last poll found the deployment, or null. */
export async function sourceSeeing(db: Db, customerId: string, deploymentId: string): Promise<string | null> {
  return (await listSources(db, customerId)).find((s) => s.fleet.some((d) => d.deployment_id === deploymentId))?.url ?? null
}
