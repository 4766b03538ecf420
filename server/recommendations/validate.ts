/**
 * Validation use cases: the recommendation as a validator sees it, and storing a validator's
 * verdict (with the quality baseline the application agent measured) once it arrives.
 */
import type { Clock } from '../clock.ts'
import type { Db } from '../db/db.ts'
import type { LiveEvent } from '../http/live.ts'
import { recordAudit } from '../audit/store.ts'
import type { RecommendationUnderReview } from '../agents/agent.ts'
import type { ValidationOutput } from '../agents/run.ts'
import type { TaskRow } from '../orchestrator/store.ts'
import { recordScores } from './analyze.ts'
import { planViolation } from '../desired/constraints.ts'
import { validationStatus, type Validation } from './recommendation.ts'
import { getRecommendation, recordValidation, type RecommendationView } from './store.ts'

/** The stored recommendation in the draft shape agents work with. */
export function toUnderReview(v: RecommendationView): RecommendationUnderReview {
  return {
    id: v.id, type: v.type, agentType: v.agent_type, deploymentId: v.deployment_id ?? v.plan.deploymentId, title: v.title,
    riskLevel: v.risk_level, riskReasons: v.risk_reasons, estimatedMonthlySavingsUsd: v.estimated_savings, confidence: v.confidence,
    predicted: v.predicted, evidence: v.evidence, plan: v.plan, dedupeKey: v.dedupe_key,
  }
}

/** What storing a verdict did. */
export interface AppliedValidation { events: LiveEvent[]; stored: boolean }

/**
 * Stores a validator's verdict on a still-pending recommendation (inside the transaction that
 * finishes the task). A verdict on a recommendation decided meanwhile is dropped: it judged a
 * proposal that is no longer on offer.
 */
export async function applyValidation(tx: Db, clock: Clock, task: TaskRow, output: ValidationOutput): Promise<AppliedValidation> {
  const rec = task.recommendation_id ? await getRecommendation(tx, task.recommendation_id) : undefined
  if (!rec || rec.status !== 'pending') return { events: [], stored: false }
  const now = clock.now()
  // the customer's constraints may have changed since the draft was stored: a plan that breaks one is never validated
  const violation = await planViolation(tx, task.customer_id, rec.plan, rec.predicted.monthlyCostUsdAfter ?? null)
  const v: Validation = {
    agent_type: task.agent_type, approved: output.verdict.approved && !violation, baseline_established: output.verdict.baseline_established,
    reason: violation ? `customer constraint: ${violation}` : output.verdict.reason, data: output.verdict.data, at: now.toISOString(),
  }
  await recordValidation(tx, rec.id, v)
  await recordScores(tx, task.customer_id, output.qualityScores, now)
  const others = rec.validations.filter((x) => x.agent_type !== v.agent_type)
  const status = validationStatus(rec.validators, [...others, v])
  await recordAudit(tx, clock, {
    customerId: task.customer_id, actor: `agent:${task.agent_type}`, action: v.approved ? 'recommendation:validation:approved' : 'recommendation:validation:rejected',
    subjectType: 'recommendation', subjectId: rec.id, detail: { reason: v.reason, baseline_established: v.baseline_established, validation_status: status },
  })
  return {
    stored: true,
    events: [{ type: 'recommendation:validation:recorded', customerId: task.customer_id, id: rec.id, data: { agent_type: v.agent_type, approved: v.approved, validation_status: status }, at: v.at }],
  }
}
