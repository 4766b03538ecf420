/**
 * Re-validation of a delta at approval. Against the deployment's desired state now:
 *  - a field it touches changed after its base generation → superseded (status, reason, audit, a
 *    fresh analysis by its agent) and 409 OPT_RECOMMENDATION_SUPERSEDED;
 *  - otherwise it is rebased onto the current spec and its figures recomputed on the current fleet
 *    and prices; a plan that breaks a customer constraint is 409 OPT_CONSTRAINT_VIOLATED; savings
 *    moved by more than 10% or a higher risk are stored and answered 409 OPT_RECOMMENDATION_CHANGED
 *    (the customer approves the new figures). What is approved is what executes.
 */
import type { Clock } from '../clock.ts'
import type { Db } from '../db/db.ts'
import type { LiveHub } from '../http/live.ts'
import type { CloudProvider } from '../cloud/provider.ts'
import { errors } from '../errors.ts'
import { recordAudit } from '../audit/store.ts'
import { startAnalysis } from '../recommendations/analyze.ts'
import { AGENT_TYPES, type AgentType, type ChangePlan, type PredictedEffect, type RiskLevel } from '../recommendations/recommendation.ts'
import { supersede, type StoredRecommendation } from '../optimizations/store.ts'
import { planMonthlyUsd, pricesFor } from '../optimizations/savings.ts'
import { HOURS_PER_MONTH } from '../spend/run-rate.ts'
import { CONFIG_ONLY_TYPES } from '../rollouts/rollout.ts'
import { ensureDesired } from './fleet.ts'
import { planViolation } from './constraints.ts'
import { changedSince, exclusiveGroupOf, rebaseOnto, reapprovalReason, riskAfterRebase, touchesOf, type DesiredState } from './spec.ts'
import { stampDelta, storeRebased } from './store.ts'

/** What re-validation needs (the approval's deps). */
export interface RevalidateDeps { db: Db; clock: Clock; cloud: CloudProvider; live: LiveHub }

/** The recommendation as it may be approved now, and whether its figures were recomputed. */
export interface Revalidated { rec: StoredRecommendation; refigured: boolean }

/** Re-validates `rec` for approval by `actor`; throws the catalog errors above. */
export async function revalidateForApproval(deps: RevalidateDeps, rec: StoredRecommendation, actor: string): Promise<Revalidated> {
  const desired = await ensureDesired(deps, rec.customerId, rec.plan.deploymentId)
  if (!desired) throw new errors.OPT_RECOMMENDATION_STALE(`deployment ${rec.plan.deploymentId} no longer exists`)
  const base = rec.baseGeneration ?? desired.generation
  const touches = rec.touches.length ? rec.touches : await stampNow(deps.db, rec, desired, base)
  const changed = changedSince(desired, base, touches)
  if (changed.length > 0) {
    const reason = `computed on generation ${base} of ${desired.deploymentId}; generation ${desired.generation} has since changed ${changed.join(', ')}, which it also changes`
    await supersedeStale(deps, rec, actor, reason)
    throw new errors.OPT_RECOMMENDATION_SUPERSEDED(reason)
  }
  const plan = rebaseOnto(rec.plan, touches, desired.spec)
  const figures = await refigure(deps.cloud, rec, plan)
  const violation = await planViolation(deps.db, rec.customerId, plan, figures.plannedMonthly)
  if (violation) throw new errors.OPT_CONSTRAINT_VIOLATED(violation)
  if (base === desired.generation && JSON.stringify(plan) === JSON.stringify(rec.plan)) return { rec: { ...rec, touches }, refigured: false }
  const why = reapprovalReason({ savingsUsd: rec.estimatedSavingsUsd, risk: rec.riskLevel }, { savingsUsd: figures.savingsUsd, risk: figures.risk })
  const rebased = { ...rec, plan, touches, estimatedSavingsUsd: figures.savingsUsd, riskLevel: figures.risk, predicted: figures.predicted, baseGeneration: desired.generation }
  await storeRebasedRec(deps, rebased, desired, rec, why)
  if (why) throw new errors.OPT_RECOMMENDATION_CHANGED(why)
  return { rec: rebased, refigured: true }
}

interface Figures { savingsUsd: number; risk: RiskLevel; predicted: PredictedEffect; plannedMonthly: number | null }

/**
 * Savings, risk and predicted cost of the rebased plan on the current fleet: a capacity change saves
 * the current stable cost minus the plan's cost at today's prices; a configuration change keeps its
 * modelled saving (its pools are the current ones).
 */
async function refigure(cloud: CloudProvider, rec: StoredRecommendation, plan: ChangePlan): Promise<Figures> {
  const res = await cloud.listResources(rec.customerId)
  const dep = res.deployments.find((d) => d.id === plan.deploymentId)
  const stable = res.instances.filter((i) => dep?.stable.instanceIds.includes(i.id) && i.state !== 'terminated')
  const current = round2(stable.reduce((s, i) => s + i.hourlyUsd, 0) * HOURS_PER_MONTH)
  const plannedRaw = planMonthlyUsd(plan.pools, await pricesFor(cloud, plan.pools))
  const planned = plannedRaw === null ? null : round2(plannedRaw)
  const configOnly = CONFIG_ONLY_TYPES.includes(rec.type)
  const savingsUsd = configOnly || planned === null ? rec.estimatedSavingsUsd : round2(current - planned)
  const predicted = { ...rec.predicted, monthlyCostUsdBefore: current, monthlyCostUsdAfter: round2(current - savingsUsd) }
  return { savingsUsd, risk: riskAfterRebase(rec.riskLevel, rec.plan, plan), predicted, plannedMonthly: planned }
}

async function storeRebasedRec(deps: RevalidateDeps, r: StoredRecommendation, desired: DesiredState, before: StoredRecommendation, why: string | null): Promise<void> {
  const at = deps.clock.now()
  const evidencePatch = { rebase: { at: at.toISOString(), from_generation: before.baseGeneration, to_generation: desired.generation, previous_savings: before.estimatedSavingsUsd, previous_risk: before.riskLevel, reapproval: why } }
  await deps.db.tx(async (tx) => {
    await storeRebased(tx, r.id, { plan: r.plan, savingsUsd: r.estimatedSavingsUsd, riskLevel: r.riskLevel, predicted: r.predicted, baseGeneration: desired.generation, evidencePatch, at })
    await recordAudit(tx, deps.clock, { customerId: r.customerId, actor: 'orchestrator', action: 'recommendation:rebased', subjectType: 'recommendation', subjectId: r.id, detail: { ...evidencePatch.rebase, savings: r.estimatedSavingsUsd, risk: r.riskLevel } })
  })
}

/** Marks a recommendation superseded (with why), says so live and starts a fresh analysis by its agent. */
async function supersedeStale(deps: RevalidateDeps, rec: StoredRecommendation, actor: string, reason: string): Promise<void> {
  const at = deps.clock.now()
  await deps.db.tx(async (tx) => {
    await supersede(tx, [rec.id], actor, reason, at)
    await recordAudit(tx, deps.clock, { customerId: rec.customerId, actor, action: 'recommendation:superseded', subjectType: 'recommendation', subjectId: rec.id, detail: { reason } })
  })
  await deps.live.publish({ type: 'recommendation:item:superseded', customerId: rec.customerId, id: rec.id, data: { reason }, at: at.toISOString() }).catch(() => undefined)
  const agentTypes: AgentType[] = (AGENT_TYPES as readonly string[]).includes(rec.agentType) ? [rec.agentType as AgentType] : [...AGENT_TYPES]
  await startAnalysis(deps, { customerId: rec.customerId, agentTypes, trigger: 'orchestrator', analysisType: null, requestedBy: actor })
}

/** The fields of a recommendation stored before its deployment had a desired state, computed and stored now. */
async function stampNow(db: Db, rec: StoredRecommendation, desired: DesiredState, base: number): Promise<string[]> {
  const touches = touchesOf(rec.plan, rec.type, desired.spec)
  await stampDelta(db, rec.id, { baseGeneration: base, touches, exclusiveGroup: exclusiveGroupOf(rec.plan.deploymentId, touches) })
  return touches
}

const round2 = (x: number) => Math.round(x * 100) / 100
