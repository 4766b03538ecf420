/**
 * The learning memory: one outcome per finished optimization with its feature vector, searchable
 * by similarity. Where the store has pgvector (PGlite loads it) vectors are also kept in
 * `outcome_embeddings` and searched with `<->`; elsewhere (Debian's PostgreSQL 15 has no pgvector)
 * the portable path ranks the `features` arrays in process. Detected once per store at runtime.
 */
import type { Db } from '../db/db.ts'
import { distance, FEATURE_DIM, type SimilarOutcome } from './features.ts'
import type { RecommendationType } from '../recommendations/recommendation.ts'

/** Which vector search the store offers. */
export type VectorBackend = 'pgvector' | 'portable'

const detected = new WeakMap<Db, Promise<VectorBackend>>()

/**
 * Detects pgvector and prepares its table. Must be given the top-level Db (not a transaction
 * handle): a failed CREATE EXTENSION would poison a transaction.
 */
export function vectorBackend(db: Db): Promise<VectorBackend> {
  let p = detected.get(db)
  if (!p) {
    p = (async (): Promise<VectorBackend> => {
      try {
        await db.query('CREATE EXTENSION IF NOT EXISTS vector')
        await db.query(`CREATE TABLE IF NOT EXISTS outcome_embeddings (
          outcome_id uuid PRIMARY KEY REFERENCES outcomes(id) ON DELETE CASCADE, embedding vector(${FEATURE_DIM}) NOT NULL)`)
        return 'pgvector'
      } catch {
        return 'portable'
      }
    })()
    detected.set(db, p)
  }
  return p
}

/** An outcome to store. Money in USD (stored as micro-dollars). */
export interface NewOutcome {
  optimizationId: string
  customerId: string
  recommendationId: string | null
  recommendationType: RecommendationType
  deploymentId: string | null
  success: boolean
  status: string
  predictedSavingsUsd: number
  actualSavingsUsd: number | null
  qualityDelta: number | null
  rollbackReason: string | null
  features: number[]
  at: Date
}

/** A stored outcome. */
export interface Outcome extends NewOutcome { id: string; storedInVectorDb: boolean; vectorBackend: VectorBackend | null }

const vectorLiteral = (v: number[]) => `[${v.map((x) => (Number.isFinite(x) ? x : 0)).join(',')}]`

/**
 * Stores the outcome of an optimization once (a retried finish step finds the first one) and
 * indexes its vector; `stored_in_vector_db` is true once the vector is searchable.
 */
export async function storeOutcome(db: Db, o: NewOutcome): Promise<Outcome> {
  if (o.features.length !== FEATURE_DIM) throw new Error(`feature vector must have ${FEATURE_DIM} components, got ${o.features.length}`)
  const backend = await vectorBackend(db)
  return db.tx(async (tx) => {
    const rows = await tx.query<{ id: string }>(
      `INSERT INTO outcomes (optimization_id, customer_id, recommendation_id, recommendation_type, deployment_id, success, status,
         predicted_savings_micros, actual_savings_micros, quality_delta, rollback_reason, features, stored_in_vector_db, vector_backend, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, true, $13, $14)
       ON CONFLICT (optimization_id) DO NOTHING RETURNING id`,
      [o.optimizationId, o.customerId, o.recommendationId, o.recommendationType, o.deploymentId, o.success, o.status,
        Math.round(o.predictedSavingsUsd * 1e6), o.actualSavingsUsd === null ? null : Math.round(o.actualSavingsUsd * 1e6),
        o.qualityDelta, o.rollbackReason, o.features, backend, o.at])
    if (rows[0] && backend === 'pgvector') {
      await tx.query('INSERT INTO outcome_embeddings (outcome_id, embedding) VALUES ($1, $2::vector)', [rows[0].id, vectorLiteral(o.features)])
    }
    return (await getOutcome(tx, o.optimizationId))!
  })
}

interface OutcomeRow {
  id: string; optimization_id: string; customer_id: string; recommendation_id: string | null; recommendation_type: RecommendationType
  deployment_id: string | null; success: boolean; status: string; predicted_savings_micros: number; actual_savings_micros: number | null
  quality_delta: number | null; rollback_reason: string | null; features: number[]; stored_in_vector_db: boolean; vector_backend: VectorBackend | null
  created_at: Date; distance?: number
}
const COLS = `o.id, o.optimization_id, o.customer_id, o.recommendation_id, o.recommendation_type, o.deployment_id, o.success, o.status,
  o.predicted_savings_micros, o.actual_savings_micros, o.quality_delta, o.rollback_reason, o.features, o.stored_in_vector_db, o.vector_backend, o.created_at`

function outcomeOf(r: OutcomeRow): Outcome {
  return {
    id: r.id, optimizationId: r.optimization_id, customerId: r.customer_id, recommendationId: r.recommendation_id,
    recommendationType: r.recommendation_type, deploymentId: r.deployment_id, success: r.success, status: r.status,
    predictedSavingsUsd: Number(r.predicted_savings_micros) / 1e6,
    actualSavingsUsd: r.actual_savings_micros === null ? null : Number(r.actual_savings_micros) / 1e6,
    qualityDelta: r.quality_delta === null ? null : Number(r.quality_delta), rollbackReason: r.rollback_reason,
    features: r.features.map(Number), storedInVectorDb: r.stored_in_vector_db, vectorBackend: r.vector_backend, at: new Date(r.created_at),
  }
}

/** The outcome of an optimization, or null. */
export async function getOutcome(db: Db, optimizationId: string): Promise<Outcome | null> {
  const rows = await db.query<OutcomeRow>(`SELECT ${COLS} FROM outcomes o WHERE o.optimization_id = $1`, [optimizationId])
  return rows[0] ? outcomeOf(rows[0]) : null
}

/** How far back the portable search looks (most recent outcomes first). */
const PORTABLE_SCAN_LIMIT = 5000

/**
 * The `k` past outcomes nearest to `features` (Euclidean). Outcomes of other customers are shown
 * anonymized (no optimization id, no rollback text): tenants learn from each other's numbers, never
 * see each other's details.
 */
export async function similarOutcomes(db: Db, features: number[], k: number, opts: { customerId?: string; excludeOptimizationId?: string } = {}): Promise<SimilarOutcome[]> {
  const backend = await vectorBackend(db)
  let rows: (OutcomeRow & { distance: number })[]
  if (backend === 'pgvector') {
    rows = await db.query<OutcomeRow & { distance: number }>(
      `SELECT ${COLS}, (e.embedding <-> $1::vector) AS distance FROM outcome_embeddings e JOIN outcomes o ON o.id = e.outcome_id
       WHERE ($3::uuid IS NULL OR o.optimization_id <> $3::uuid) ORDER BY e.embedding <-> $1::vector LIMIT $2`,
      [vectorLiteral(features), k, opts.excludeOptimizationId ?? null])
  } else {
    const all = await db.query<OutcomeRow>(
      `SELECT ${COLS} FROM outcomes o WHERE ($1::uuid IS NULL OR o.optimization_id <> $1::uuid) ORDER BY o.created_at DESC LIMIT ${PORTABLE_SCAN_LIMIT}`,
      [opts.excludeOptimizationId ?? null])
    rows = all.map((r) => ({ ...r, distance: distance(features, r.features.map(Number)) })).sort((a, b) => a.distance - b.distance).slice(0, k)
  }
  return rows.map((r) => present(outcomeOf(r), Number(r.distance), opts.customerId))
}

function present(o: Outcome, d: number, customerId?: string): SimilarOutcome {
  const own = customerId !== undefined && o.customerId === customerId
  return {
    optimization_id: own ? o.optimizationId : null, recommendation_type: o.recommendationType, success: o.success, status: o.status,
    predicted_savings: o.predictedSavingsUsd, actual_savings: o.actualSavingsUsd,
    prediction_accuracy: o.actualSavingsUsd !== null && o.predictedSavingsUsd > 0 ? Math.round((o.actualSavingsUsd / o.predictedSavingsUsd) * 1000) / 1000 : null,
    quality_delta: o.qualityDelta, rollback_reason: own ? o.rollbackReason : (o.rollbackReason ? 'rolled back' : null),
    distance: Math.round(d * 1e6) / 1e6, similarity: Math.round((1 / (1 + d)) * 1e6) / 1e6, same_customer: own,
  }
}
