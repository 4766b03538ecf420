/**
 * SQL for recommendations and their validations. Money is stored in micro-dollars and shown in
 * dollars; a pending recommendation is unique per (customer, dedupe key), so re-analysis refreshes it.
 */
import { valueOf, type RecommendationValue } from './value.ts'
import { microsToUsd, usdToMicros } from '../cloud/catalog/catalog.ts'
import type { Db } from '../db/db.ts'
import {
  validationStatus, type AgentType, type ChangePlan, type PredictedEffect, type RecommendationDraft, type RecommendationStatus,
  type RecommendationType, type RiskLevel, type Validation, type ValidationStatus,
} from './recommendation.ts'

/** A recommendation as the API shows it (snake_case, dollars). */
export interface RecommendationView {
  id: string
  customer_id: string
  deployment_id: string | null
  type: RecommendationType
  status: RecommendationStatus
  agent_type: AgentType
  title: string
  risk_level: RiskLevel
  risk_reasons: string[]
  estimated_savings: number
  confidence: number
  predicted: PredictedEffect
  evidence: Record<string, unknown>
  plan: ChangePlan
  validators: AgentType[]
  validations: Validation[]
  validation_status: ValidationStatus
  dedupe_key: string
  analysis_id: string | null
  optimization_id: string | null
  decided_by: string | null
  decided_at: string | null
  reject_reason: string | null
  evidence_at: string
  created_at: string
  updated_at: string
  /** The delta: the desired-state generation it was computed (or rebased) on, the fields it changes, its group of alternatives. */
  base_generation: number | null
  touches: string[]
  exclusive_group: string | null
  value: RecommendationValue
}

interface Row {
  id: string; customer_id: string; deployment_id: string | null; type: RecommendationType; status: RecommendationStatus; agent_type: AgentType
  title: string; risk_level: RiskLevel; risk_reasons: string[]; estimated_savings_micros: number | string; confidence: number
  predicted: PredictedEffect; evidence: Record<string, unknown>; plan: ChangePlan; validators: AgentType[]; dedupe_key: string
  analysis_id: string | null; optimization_id: string | null; decided_by: string | null; decided_at: Date | null; reject_reason: string | null
  evidence_at: Date; created_at: Date; updated_at: Date
  base_generation: number | null; touches: string[] | null; exclusive_group: string | null
}
interface ValidationRow { recommendation_id: string; agent_type: AgentType; approved: boolean; baseline_established: boolean; reason: string; data: Record<string, unknown>; at: Date }

const iso = (d: Date | string | null): string | null => (d === null ? null : new Date(d).toISOString())

function present(r: Row, validations: ValidationRow[]): RecommendationView {
  const vs: Validation[] = validations.map((v) => ({ agent_type: v.agent_type, approved: v.approved, baseline_established: v.baseline_established, reason: v.reason, data: v.data, at: iso(v.at)! }))
  return {
    id: r.id, customer_id: r.customer_id, deployment_id: r.deployment_id, type: r.type, status: r.status, agent_type: r.agent_type,
    title: r.title, risk_level: r.risk_level, risk_reasons: r.risk_reasons, estimated_savings: microsToUsd(Number(r.estimated_savings_micros)),
    confidence: r.confidence, predicted: r.predicted, evidence: r.evidence, plan: r.plan, validators: r.validators, validations: vs,
    validation_status: validationStatus(r.validators, vs), dedupe_key: r.dedupe_key, analysis_id: r.analysis_id,
    optimization_id: r.optimization_id, decided_by: r.decided_by, decided_at: iso(r.decided_at), reject_reason: r.reject_reason,
    evidence_at: iso(r.evidence_at)!, created_at: iso(r.created_at)!, updated_at: iso(r.updated_at)!,
    base_generation: r.base_generation === null ? null : Number(r.base_generation), touches: r.touches ?? [], exclusive_group: r.exclusive_group,
    value: valueOf(microsToUsd(Number(r.estimated_savings_micros)), r.predicted),
  }
}

async function withValidations(db: Db, rows: Row[]): Promise<RecommendationView[]> {
  if (rows.length === 0) return []
  const vs = await db.query<ValidationRow>(
    'SELECT * FROM recommendation_validations WHERE recommendation_id = ANY($1::uuid[]) ORDER BY at, agent_type', [rows.map((r) => r.id)])
  return rows.map((r) => present(r, vs.filter((v) => v.recommendation_id === r.id)))
}

/** One recommendation with its validations, or undefined. */
export async function getRecommendation(db: Db, id: string): Promise<RecommendationView | undefined> {
  const rows = await db.query<Row>('SELECT * FROM recommendations WHERE id = $1', [id])
  return (await withValidations(db, rows))[0]
}

/** Filters of the list route; by default recommendations still being validated are not offered. */
export interface ListFilter { status?: string; type?: string; agent_type?: string; deployment_id?: string; include_validating?: boolean; limit?: number }

/** A customer's recommendations, newest first. */
export async function listRecommendations(db: Db, customerId: string, f: ListFilter = {}): Promise<RecommendationView[]> {
  const rows = await db.query<Row>(
    `SELECT * FROM recommendations WHERE customer_id = $1 AND ($2::text IS NULL OR status = $2) AND ($3::text IS NULL OR type = $3)
       AND ($4::text IS NULL OR agent_type = $4) AND ($5::text IS NULL OR deployment_id = $5)
     ORDER BY created_at DESC, id DESC LIMIT $6`,
    [customerId, f.status ?? null, f.type ?? null, f.agent_type ?? null, f.deployment_id ?? null, f.limit ?? 500])
  const all = await withValidations(db, rows)
  return f.include_validating ? all : all.filter((r) => r.validation_status !== 'validating')
}

/** What an upsert did: a new recommendation, or a refresh of the pending one (plan changed or not). */
export interface UpsertResult { id: string; created: boolean; planChanged: boolean }

async function refresh(tx: Db, id: string, d: RecommendationDraft, validators: AgentType[], analysisId: string | null, now: Date): Promise<void> {
  await tx.query(
    `UPDATE recommendations SET title = $2, risk_level = $3, risk_reasons = $4, estimated_savings_micros = $5, confidence = $6,
       predicted = $7, evidence = $8, plan = $9, validators = $10, analysis_id = COALESCE($11, analysis_id), evidence_at = $12, updated_at = $12
     WHERE id = $1`,
    [id, d.title, d.riskLevel, JSON.stringify(d.riskReasons), usdToMicros(d.estimatedMonthlySavingsUsd), d.confidence,
      JSON.stringify(d.predicted), JSON.stringify(d.evidence), JSON.stringify(d.plan), JSON.stringify(validators), analysisId, now])
}

async function findPending(tx: Db, customerId: string, key: string): Promise<{ id: string; plan: ChangePlan } | undefined> {
  const rows = await tx.query<{ id: string; plan: ChangePlan }>(
    `SELECT id, plan FROM recommendations WHERE customer_id = $1 AND dedupe_key = $2 AND status = 'pending' FOR UPDATE`, [customerId, key])
  return rows[0]
}

/**
 * Stores a draft: refreshes the pending recommendation with the same dedupe key (dropping its
 * validations when the plan changed, since they judged another plan), else inserts a new one.
 */
export async function upsertDraft(tx: Db, customerId: string, d: RecommendationDraft, validators: AgentType[], analysisId: string | null, now: Date): Promise<UpsertResult> {
  for (let attempt = 0; attempt < 2; attempt++) {
    const existing = await findPending(tx, customerId, d.dedupeKey)
    if (existing) {
      const planChanged = JSON.stringify(existing.plan) !== JSON.stringify(d.plan)
      await refresh(tx, existing.id, d, validators, analysisId, now)
      if (planChanged) await tx.query('DELETE FROM recommendation_validations WHERE recommendation_id = $1', [existing.id])
      return { id: existing.id, created: false, planChanged }
    }
    const inserted = await tx.query<{ id: string }>(
      `INSERT INTO recommendations (customer_id, deployment_id, type, agent_type, title, risk_level, risk_reasons, estimated_savings_micros,
         confidence, predicted, evidence, plan, dedupe_key, validators, analysis_id, evidence_at, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16, $16)
       ON CONFLICT (customer_id, dedupe_key) WHERE status = 'pending' DO NOTHING RETURNING id`,
      [customerId, d.deploymentId, d.type, d.agentType, d.title, d.riskLevel, JSON.stringify(d.riskReasons), usdToMicros(d.estimatedMonthlySavingsUsd),
        d.confidence, JSON.stringify(d.predicted), JSON.stringify(d.evidence), JSON.stringify(d.plan), d.dedupeKey, JSON.stringify(validators), analysisId, now])
    if (inserted[0]) return { id: inserted[0].id, created: true, planChanged: true }
  }
  throw new Error(`could not store recommendation ${d.dedupeKey} for ${customerId}`)
}

/** Marks an agent's pending recommendations that its latest analysis no longer makes as superseded, except on deployments it left alone while settling. */
export async function supersedeMissing(tx: Db, customerId: string, agentType: AgentType, keepKeys: string[], settling: string[], now: Date): Promise<string[]> {
  const rows = await tx.query<{ id: string }>(
    `UPDATE recommendations SET status = 'superseded', updated_at = $4
     WHERE customer_id = $1 AND agent_type = $2 AND status = 'pending' AND NOT (dedupe_key = ANY($3::text[]))
       AND NOT (COALESCE(deployment_id, plan->>'deploymentId', '') = ANY($5::text[])) RETURNING id`,
    [customerId, agentType, keepKeys, now, settling])
  return rows.map((r) => r.id)
}

/** Stores (or replaces) one agent's verdict on a recommendation. */
export async function recordValidation(tx: Db, recommendationId: string, v: Validation): Promise<void> {
  await tx.query(
    `INSERT INTO recommendation_validations (recommendation_id, agent_type, approved, baseline_established, reason, data, at)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (recommendation_id, agent_type) DO UPDATE SET approved = EXCLUDED.approved, baseline_established = EXCLUDED.baseline_established,
       reason = EXCLUDED.reason, data = EXCLUDED.data, at = EXCLUDED.at`,
    [recommendationId, v.agent_type, v.approved, v.baseline_established, v.reason, JSON.stringify(v.data ?? {}), v.at])
}

/** Rejects a pending recommendation; returns false when it is not pending (any more). */
export async function markRejected(tx: Db, id: string, actor: string, reason: string, now: Date): Promise<boolean> {
  const rows = await tx.query<{ id: string }>(
    `UPDATE recommendations SET status = 'rejected', decided_by = $2, decided_at = $4, reject_reason = $3, updated_at = $4
     WHERE id = $1 AND status = 'pending' RETURNING id`, [id, actor, reason, now])
  return rows.length > 0
}

/** The customer a recommendation belongs to (for authorization before anything else is read). */
export async function ownerOf(db: Db, id: string): Promise<string | undefined> {
  return (await db.query<{ customer_id: string }>('SELECT customer_id FROM recommendations WHERE id = $1', [id]))[0]?.customer_id
}
