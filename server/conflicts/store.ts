/** SQL of conflict resolutions (migration 0006). */
import type { Db } from '../db/db.ts'
import type { Resolution } from './conflict.ts'

/** A stored resolution. */
export interface StoredResolution extends Resolution {
  id: string
  customerId: string
  recommendationIds: string[]
  status: 'proposed' | 'executed'
  optimizationIds: string[] | null
  createdAt: Date
}

interface Row {
  id: string; customer_id: string; recommendation_ids: string[]; conflict_detected: boolean; strategy: Resolution['strategy']
  chosen_recommendation_id: string | null; hybrid_solution: Resolution['hybrid_solution']; execution_order: string[] | null
  rationale: string; conflicts: { list: Resolution['conflicts']; superseded: string[] }; status: 'proposed' | 'executed'
  optimization_ids: string[] | null; created_at: Date
}

const COLS = `id, customer_id, recommendation_ids, conflict_detected, strategy, chosen_recommendation_id, hybrid_solution, execution_order,
  rationale, conflicts, status, optimization_ids, created_at`

function of(r: Row): StoredResolution {
  return {
    id: r.id, customerId: r.customer_id, recommendationIds: r.recommendation_ids, conflict_detected: r.conflict_detected, strategy: r.strategy,
    chosen_recommendation: r.chosen_recommendation_id, hybrid_solution: r.hybrid_solution, execution_order: r.execution_order,
    rationale: r.rationale, conflicts: r.conflicts.list, superseded: r.conflicts.superseded, status: r.status,
    optimizationIds: r.optimization_ids, createdAt: new Date(r.created_at),
  }
}

/** Stores a decision (status proposed). */
export async function insertResolution(tx: Db, customerId: string, recIds: string[], r: Resolution, by: string, at: Date): Promise<StoredResolution> {
  const rows = await tx.query<Row>(
    `INSERT INTO conflict_resolutions (customer_id, recommendation_ids, conflict_detected, strategy, chosen_recommendation_id, hybrid_solution,
       execution_order, rationale, conflicts, created_by, created_at)
     VALUES ($1, $2::uuid[], $3, $4, $5, $6, $7::uuid[], $8, $9, $10, $11) RETURNING ${COLS}`,
    [customerId, recIds, r.conflict_detected, r.strategy, r.chosen_recommendation, r.hybrid_solution && JSON.stringify(r.hybrid_solution),
      r.execution_order, r.rationale, JSON.stringify({ list: r.conflicts, superseded: r.superseded }), by, at])
  return of(rows[0]!)
}

/** One resolution (optionally row-locked inside a transaction). */
export async function getResolution(db: Db, id: string, opts: { lock?: boolean } = {}): Promise<StoredResolution | null> {
  const rows = await db.query<Row>(`SELECT ${COLS} FROM conflict_resolutions WHERE id = $1${opts.lock ? ' FOR UPDATE' : ''}`, [id])
  return rows[0] ? of(rows[0]) : null
}

/** A customer's resolutions, newest first. */
export async function listResolutions(db: Db, customerId: string, limit = 100): Promise<StoredResolution[]> {
  const rows = await db.query<Row>(`SELECT ${COLS} FROM conflict_resolutions WHERE customer_id = $1 ORDER BY created_at DESC LIMIT $2`, [customerId, limit])
  return rows.map(of)
}

/** Records that a resolution was executed and which optimizations it started. */
export async function markExecuted(tx: Db, id: string, optimizationIds: string[], by: string, at: Date): Promise<void> {
  await tx.query(`UPDATE conflict_resolutions SET status = 'executed', optimization_ids = $2::uuid[], executed_by = $3, executed_at = $4 WHERE id = $1`,
    [id, optimizationIds, by, at])
}
