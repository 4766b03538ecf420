/**
 * SQL the optimization use cases need on the recommendations contract (migration 0005): reading a
 * recommendation with its validations, and the status changes execution makes (approved →
 * executing → completed | rolled_back | failed). The recommendation routes themselves live in
 * server/recommendations (another concept); this is only what approval and execution write.
 */
import type { Db } from '../db/db.ts'
import type { Preferences } from '../../api/common.ts'
import type { AgentType, ChangePlan, PredictedEffect, RecommendationStatus, RecommendationType, RiskLevel, Validation } from '../recommendations/recommendation.ts'

/** A recommendation as approval and execution read it. */
export interface StoredRecommendation {
  id: string
  customerId: string
  deploymentId: string | null
  type: RecommendationType
  status: RecommendationStatus
  agentType: string
  title: string
  riskLevel: RiskLevel
  riskReasons: string[]
  estimatedSavingsUsd: number
  confidence: number
  predicted: PredictedEffect
  evidence: Record<string, unknown>
  plan: ChangePlan
  evidenceAt: Date
  optimizationId: string | null
  createdAt: Date
  /** Agents that must validate (migration 0007); with the stored verdicts they give the validation status. */
  validators: AgentType[]
  validations: Validation[]
  /** The delta (migration 0012): generation computed on, fields changed, group of alternatives. */
  baseGeneration: number | null
  touches: string[]
  exclusiveGroup: string | null
  /** Why it was rejected or superseded. */
  rejectReason: string | null
}

interface RecRow {
  id: string; customer_id: string; deployment_id: string | null; type: RecommendationType; status: RecommendationStatus
  agent_type: string; title: string; risk_level: RiskLevel; risk_reasons: string[]; estimated_savings_micros: number
  confidence: number; predicted: PredictedEffect; evidence: Record<string, unknown>; plan: ChangePlan; evidence_at: Date
  optimization_id: string | null; created_at: Date; validators: AgentType[] | null
  base_generation: number | null; touches: string[] | null; exclusive_group: string | null; reject_reason: string | null
}

const REC_COLS = `id, customer_id, deployment_id, type, status, agent_type, title, risk_level, risk_reasons, estimated_savings_micros,
  confidence, predicted, evidence, plan, evidence_at, optimization_id, created_at, validators, base_generation, touches, exclusive_group, reject_reason`

async function validationsOf(db: Db, ids: string[]): Promise<Map<string, Validation[]>> {
  const rows = await db.query<Validation & { recommendation_id: string; at: Date | string }>(
    `SELECT recommendation_id, agent_type, approved, baseline_established, reason, data, at
     FROM recommendation_validations WHERE recommendation_id = ANY($1::uuid[]) ORDER BY at`, [ids])
  const by = new Map<string, Validation[]>()
  for (const { recommendation_id: id, ...v } of rows) by.set(id, [...(by.get(id) ?? []), { ...v, at: new Date(v.at).toISOString() }])
  return by
}

function recOf(r: RecRow, validations: Validation[]): StoredRecommendation {
  return {
    id: r.id, customerId: r.customer_id, deploymentId: r.deployment_id, type: r.type, status: r.status, agentType: r.agent_type,
    title: r.title, riskLevel: r.risk_level, riskReasons: r.risk_reasons, estimatedSavingsUsd: Number(r.estimated_savings_micros) / 1e6,
    confidence: Number(r.confidence), predicted: r.predicted, evidence: r.evidence, plan: r.plan, evidenceAt: new Date(r.evidence_at),
    optimizationId: r.optimization_id, createdAt: new Date(r.created_at), validators: r.validators ?? [], validations,
    baseGeneration: r.base_generation === null ? null : Number(r.base_generation), touches: r.touches ?? [], exclusiveGroup: r.exclusive_group,
    rejectReason: r.reject_reason,
  }
}

/** Recommendations by id (any customer; callers check tenancy), with validations. `lock` takes row locks in a tx. */
export async function getRecommendations(db: Db, ids: string[], opts: { lock?: boolean } = {}): Promise<StoredRecommendation[]> {
  if (ids.length === 0) return []
  const rows = await db.query<RecRow>(`SELECT ${REC_COLS} FROM recommendations WHERE id = ANY($1::uuid[]) ORDER BY created_at, id${opts.lock ? ' FOR UPDATE' : ''}`, [ids])
  const v = await validationsOf(db, rows.map((r) => r.id))
  return rows.map((r) => recOf(r, v.get(r.id) ?? []))
}

/** One recommendation, or null. */
export async function getRecommendation(db: Db, id: string, opts: { lock?: boolean } = {}): Promise<StoredRecommendation | null> {
  return (await getRecommendations(db, [id], opts))[0] ?? null
}

/** Pending recommendations of a customer (newest first), with validations. */
export async function listPendingRecommendations(db: Db, customerId: string): Promise<StoredRecommendation[]> {
  const rows = await db.query<RecRow>(`SELECT ${REC_COLS} FROM recommendations WHERE customer_id = $1 AND status = 'pending' ORDER BY created_at DESC`, [customerId])
  const v = await validationsOf(db, rows.map((r) => r.id))
  return rows.map((r) => recOf(r, v.get(r.id) ?? []))
}

/** Records the approval decision and the optimization it started. */
export async function markApproved(tx: Db, id: string, by: string, optimizationId: string, at: Date): Promise<void> {
  await tx.query(
    `UPDATE recommendations SET status = 'approved', decided_by = $2, decided_at = $3, optimization_id = $4, updated_at = $3 WHERE id = $1`,
    [id, by, at, optimizationId])
}

/** Moves a recommendation to an execution status; returns whether it changed. */
export async function setRecommendationStatus(tx: Db, id: string, status: RecommendationStatus, at: Date, from?: RecommendationStatus[]): Promise<boolean> {
  const rows = await tx.query(
    `UPDATE recommendations SET status = $2, updated_at = $3 WHERE id = $1 AND status <> $2 AND ($4::text[] IS NULL OR status = ANY($4::text[])) RETURNING id`,
    [id, status, at, from ?? null])
  return rows.length > 0
}

/** Marks recommendations superseded by a conflict decision (only those still pending). */
export async function supersede(tx: Db, ids: string[], by: string, reason: string, at: Date): Promise<string[]> {
  if (ids.length === 0) return []
  const rows = await tx.query<{ id: string }>(
    `UPDATE recommendations SET status = 'superseded', decided_by = $2, decided_at = $4, reject_reason = $3, updated_at = $4
     WHERE id = ANY($1::uuid[]) AND status = 'pending' RETURNING id`, [ids, by, reason, at])
  return rows.map((r) => r.id)
}

/** Refreshes the evidence time and savings of a re-checked recommendation. */
export async function refreshEvidence(tx: Db, id: string, savingsUsd: number, evidencePatch: Record<string, unknown>, at: Date): Promise<void> {
  await tx.query(
    `UPDATE recommendations SET estimated_savings_micros = $2, evidence = evidence || $3::jsonb, evidence_at = $4, updated_at = $4 WHERE id = $1`,
    [id, Math.round(savingsUsd * 1e6), JSON.stringify(evidencePatch), at])
}

/** Inserts a recommendation the orchestrator composed (a negotiated hybrid), already validated by its sources. */
export async function insertComposedRecommendation(tx: Db, r: {
  customerId: string; deploymentId: string; type: RecommendationType; agentType: string; title: string; riskLevel: RiskLevel
  riskReasons: string[]; savingsUsd: number; confidence: number; predicted: PredictedEffect; evidence: Record<string, unknown>
  plan: ChangePlan; dedupeKey: string; validators: AgentType[]; at: Date
}): Promise<string> {
  const rows = await tx.query<{ id: string }>(
    `INSERT INTO recommendations (customer_id, deployment_id, type, status, agent_type, title, risk_level, risk_reasons,
       estimated_savings_micros, confidence, predicted, evidence, plan, dedupe_key, validators, evidence_at, created_at, updated_at)
     VALUES ($1, $2, $3, 'pending', $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $15, $14, $14, $14) RETURNING id`,
    [r.customerId, r.deploymentId, r.type, r.agentType, r.title, r.riskLevel, JSON.stringify(r.riskReasons), Math.round(r.savingsUsd * 1e6),
      r.confidence, JSON.stringify(r.predicted), JSON.stringify(r.evidence), JSON.stringify(r.plan), r.dedupeKey, r.at, JSON.stringify(r.validators)])
  return rows[0]!.id
}

/** Copies validations from source recommendations onto a composed one (each agent's latest verdict). */
export async function copyValidations(tx: Db, fromIds: string[], toId: string): Promise<void> {
  await tx.query(
    `INSERT INTO recommendation_validations (recommendation_id, agent_type, approved, baseline_established, reason, data, at)
     SELECT DISTINCT ON (agent_type) $2::uuid, agent_type, approved, baseline_established, reason, data, at
     FROM recommendation_validations WHERE recommendation_id = ANY($1::uuid[]) ORDER BY agent_type, at DESC
     ON CONFLICT (recommendation_id, agent_type) DO NOTHING`, [fromIds, toId])
}

/** A customer's stored preferences (empty when none or unknown). */
export async function customerPreferences(db: Db, customerId: string): Promise<Preferences> {
  const rows = await db.query<{ preferences: Preferences }>('SELECT preferences FROM customers WHERE id = $1', [customerId])
  return rows[0]?.preferences ?? {}
}

/**
 * Proposes a finished recommendation's change again as a new pending one (same plan, figures,
 * generation and alternatives group; its evidence says what it retries). Returns the pending
 * recommendation with the same key when one exists already (the retry, or an agent's re-proposal).
 */
export async function insertRetry(tx: Db, fromId: string, retryOf: Record<string, unknown>, at: Date): Promise<{ id: string; created: boolean } | null> {
  const inserted = await tx.query<{ id: string }>(
    `INSERT INTO recommendations (customer_id, deployment_id, type, agent_type, title, risk_level, risk_reasons, estimated_savings_micros,
       confidence, predicted, evidence, plan, dedupe_key, validators, base_generation, touches, exclusive_group, evidence_at, created_at, updated_at)
     SELECT customer_id, deployment_id, type, agent_type, title, risk_level, risk_reasons, estimated_savings_micros,
       confidence, predicted, evidence || jsonb_build_object('retry_of', $2::jsonb), plan, dedupe_key, validators, base_generation, touches, exclusive_group, evidence_at, $3, $3
     FROM recommendations WHERE id = $1
     ON CONFLICT (customer_id, dedupe_key) WHERE status = 'pending' DO NOTHING RETURNING id`, [fromId, JSON.stringify(retryOf), at])
  if (inserted[0]) return { id: inserted[0].id, created: true }
  const pending = await tx.query<{ id: string }>(
    `SELECT r.id FROM recommendations r JOIN recommendations f ON f.customer_id = r.customer_id AND f.dedupe_key = r.dedupe_key
     WHERE f.id = $1 AND r.status = 'pending'`, [fromId])
  // the pending one was decided between the insert and this read: the caller answers 409, try again
  return pending[0] ? { id: pending[0].id, created: false } : null
}
