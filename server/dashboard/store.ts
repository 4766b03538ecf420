/** Queries behind the dashboard: latest quality scores and the agents' last heartbeats. */
import type { Db } from '../db/db.ts'

/** Latest stable-group quality score per deployment. */
export async function latestQuality(db: Db, customerId: string): Promise<{ deployment_id: string; score: number; samples: number; at: Date }[]> {
  const rows = await db.query<{ deployment_id: string; score: number; n: number; ts: Date }>(
    `SELECT DISTINCT ON (deployment_id) deployment_id, score, n, ts FROM quality_scores
     WHERE customer_id = $1 AND "group" = 'stable' ORDER BY deployment_id, ts DESC`, [customerId])
  return rows.map((r) => ({ deployment_id: r.deployment_id, score: Number(r.score), samples: Number(r.n), at: new Date(r.ts) }))
}

/** Completed optimizations' results (their provisional realized savings come from here). */
export async function completedResults(db: Db, customerId: string): Promise<{ id: string; result: Record<string, unknown> }[]> {
  const rows = await db.query<{ id: string; result: Record<string, unknown> | null }>(
    "SELECT id, result FROM workflow_runs WHERE customer_id = $1 AND kind = 'optimization' AND status = 'completed'", [customerId])
  return rows.map((r) => ({ id: r.id, result: r.result ?? {} }))
}
