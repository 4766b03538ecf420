/**
 * Approving a recommendation starts its optimization. Only a pending recommendation that the other
 * agents validated (none rejected it) can be approved; evidence older than STALE_AFTER_MS is
 * re-checked against current prices and the current fleet first. Approving twice — even two
 * requests racing on two replicas — returns the same optimization: the recommendation row is
 * locked for the decision and a unique index allows one run per recommendation.
 */
import type { Db } from '../db/db.ts'
import type { Clock } from '../clock.ts'
import type { LiveHub } from '../http/live.ts'
import type { CloudProvider } from '../cloud/provider.ts'
import type { EngineConfig } from '../cloud/model/serving.ts'
import { errors } from '../errors.ts'
import { recordAudit } from '../audit/store.ts'
import { createOptimizationRun, OPTIMIZATION_KIND } from '../workflows/optimization.ts'
import { getRunBySubject } from '../workflows/store.ts'
import { WORKFLOW_CHANNEL } from '../workflows/engine.ts'
import { CONFIG_ONLY_TYPES } from '../rollouts/rollout.ts'
import { validationStatus } from '../recommendations/recommendation.ts'
import { HOURS_PER_MONTH } from '../spend/run-rate.ts'
import { OVERSPEND_TOLERANCE_SHARE, planMonthlyUsd, pricesFor } from './savings.ts'

export { planMonthlyUsd }
import { getRecommendation, markApproved, refreshEvidence, type StoredRecommendation } from './store.ts'
import { revalidateForApproval } from '../desired/revalidate.ts'
import { supersedeGroup } from '../desired/store.ts'
import { planViolation } from '../desired/constraints.ts'
import { sourceSeeing } from '../telemetry-sources/store.ts'

/** What approval needs. */
export interface ApproveDeps { db: Db; clock: Clock; cloud: CloudProvider; live: LiveHub }

/** Evidence older than this (clock time) is re-checked before approval: spot prices move hourly. */
export const STALE_AFTER_MS = 30 * 60_000

/** The approval answer (the seeds' shape). */
export interface ApproveResult { status: 'approved'; optimization_id: string; recommendation_id: string; rechecked: boolean }

/** Why a recommendation may not be approved, or null: not pending, rejected by a validator, or still being validated. */
export function approvalProblem(rec: StoredRecommendation): string | null {
  if (rec.status !== 'pending') return `recommendation is ${rec.status}, not pending`
  const status = validationStatus(rec.validators, rec.validations)
  if (status === 'blocked') return `rejected by ${rec.validations.filter((v) => !v.approved).map((v) => `${v.agent_type} (${v.reason})`).join(', ')}`
  if (status === 'validating') {
    const done = new Set(rec.validations.map((v) => v.agent_type))
    return `still being validated (waiting for ${rec.validators.filter((a) => !done.has(a)).join(', ')})`
  }
  return null
}

/**
 * Approves for `actor` (the route checked tenancy). Idempotent: a recommendation that already has
 * an optimization answers with it. Throws catalog errors for 404/409.
 */
export async function approveRecommendation(deps: ApproveDeps, actor: string, recId: string, opts: { skipValidation?: boolean; rebase?: boolean } = {}): Promise<ApproveResult> {
  const rec = await getRecommendation(deps.db, recId)
  if (!rec) throw new errors.OPT_NOT_FOUND('Recommendation')
  if (rec.optimizationId) return { status: 'approved', optimization_id: rec.optimizationId, recommendation_id: rec.id, rechecked: false }
  if (rec.status === 'superseded') throw new errors.OPT_RECOMMENDATION_SUPERSEDED(rec.rejectReason ?? 'a newer analysis or an approved alternative replaced it')
  // the customer's constraint is the reason they can act on, whether or not a validator saw it first
  const violation = rec.status === 'pending' ? await planViolation(deps.db, rec.customerId, rec.plan, rec.predicted.monthlyCostUsdAfter ?? null) : null
  if (violation) throw new errors.OPT_CONSTRAINT_VIOLATED(violation)
  const problem = opts.skipValidation && rec.status === 'pending' ? null : approvalProblem(rec)
  if (problem) throw (rec.status === 'pending' ? new errors.OPT_RECOMMENDATION_NOT_VALIDATED(problem) : new errors.OPT_STATE_INVALID(problem))
  const fleet = await deps.cloud.listResources(rec.customerId)
  if (!fleet.deployments.some((d) => d.id === rec.plan.deploymentId)) await refuseAdvisory(deps.db, rec)
  const checked = await revalidateForApproval(deps, rec, actor)
  const stale = !checked.refigured && deps.clock.now().getTime() - rec.evidenceAt.getTime() > STALE_AFTER_MS
  const recheck = stale ? await recheckEvidence(deps, checked.rec) : null
  const baseConfig = fleet.deployments.find((d) => d.id === rec.plan.deploymentId)?.stable.config
  const result = await deps.db.tx(async (tx) => decide(tx, deps, rec.id, actor, recheck, { rebase: opts.rebase ?? false, baseConfig }))
  if (result.created) await announce(deps, rec, result.id, result.superseded)
  return { status: 'approved', optimization_id: result.id, recommendation_id: rec.id, rechecked: recheck !== null || checked.refigured }
}

/**
 * A deployment the provider does not run but a connected Prometheus shows is one OptiInfra reads
 * and cannot change: it launches no capacity there and has no endpoint to gate a canary on.
 */
async function refuseAdvisory(db: Db, rec: StoredRecommendation): Promise<void> {
  const url = await sourceSeeing(db, rec.customerId, rec.plan.deploymentId)
  if (url) throw new errors.OPT_RECOMMENDATION_ADVISORY(`${rec.plan.deploymentId} is seen only through Prometheus ${url}; OptiInfra does not run its capacity or reach its endpoints, so it cannot roll the change out`)
}

async function decide(tx: Db, deps: ApproveDeps, recId: string, actor: string, recheck: Recheck | null, o: { rebase: boolean; baseConfig: EngineConfig | undefined }): Promise<{ id: string; created: boolean; superseded: string[] }> {
  const rec = await getRecommendation(tx, recId, { lock: true })
  if (!rec) throw new errors.OPT_NOT_FOUND('Recommendation')
  if (rec.optimizationId) return { id: rec.optimizationId, created: false, superseded: [] }
  if (rec.status !== 'pending') throw new errors.OPT_STATE_INVALID(`recommendation is ${rec.status}, not pending`)
  const now = deps.clock.now()
  if (recheck) {
    await refreshEvidence(tx, rec.id, recheck.savingsUsd, { recheck: recheck.evidence }, now)
    rec.estimatedSavingsUsd = recheck.savingsUsd
  }
  const run = await createOptimizationRun(tx, { rec, createdBy: actor, at: now, rebase: o.rebase, ...(o.baseConfig ? { baseConfig: o.baseConfig } : {}) })
  const id = run?.id ?? (await getRunBySubject(tx, OPTIMIZATION_KIND, rec.id))!.id
  await markApproved(tx, rec.id, actor, id, now)
  const superseded = rec.exclusiveGroup ? await supersedeGroup(tx, rec.customerId, rec.exclusiveGroup, rec.id, actor, `alternative ${rec.id} (${rec.type}) of group ${rec.exclusiveGroup} was approved`, now) : []
  await recordAudit(tx, deps.clock, { customerId: rec.customerId, actor, action: 'recommendation:approved', subjectType: 'recommendation', subjectId: rec.id, detail: { optimization_id: id, rechecked: recheck !== null, estimated_savings: rec.estimatedSavingsUsd, base_generation: rec.baseGeneration, superseded_alternatives: superseded } })
  await recordAudit(tx, deps.clock, { customerId: rec.customerId, actor, action: 'optimization:created', subjectType: 'optimization', subjectId: id, detail: { recommendation_id: rec.id, type: rec.type, deployment_id: rec.plan.deploymentId, plan: rec.plan.summary } })
  return { id, created: run !== null, superseded }
}

async function announce(deps: ApproveDeps, rec: StoredRecommendation, optimizationId: string, superseded: string[]): Promise<void> {
  const at = deps.clock.now().toISOString()
  for (const id of superseded) await deps.live.publish({ type: 'recommendation:item:superseded', customerId: rec.customerId, id, data: { by: rec.id }, at }).catch(() => undefined)
  await deps.live.publish({ type: 'recommendation:status:changed', customerId: rec.customerId, id: rec.id, data: { status: 'approved', optimization_id: optimizationId }, at }).catch(() => undefined)
  await deps.live.publish({ type: 'optimization:status:changed', customerId: rec.customerId, id: optimizationId, data: { status: 'pending' }, at }).catch(() => undefined)
  await deps.db.notify(WORKFLOW_CHANNEL, optimizationId).catch(() => undefined)
}

interface Recheck { savingsUsd: number; evidence: Record<string, unknown> }

/**
 * Re-reads the fleet and the current prices: the deployment must still exist, and a change of
 * pools must still save money at today's prices (savings re-computed from them), or, proposed at an
 * extra cost, cost no more than 10% beyond it. A config-only change keeps its estimate (its savings
 * come from the serving model, not from prices).
 */
async function recheckEvidence(deps: ApproveDeps, rec: StoredRecommendation): Promise<Recheck> {
  const now = deps.clock.now()
  const res = await deps.cloud.listResources(rec.customerId)
  const dep = res.deployments.find((d) => d.id === rec.plan.deploymentId)
  if (!dep) throw new errors.OPT_RECOMMENDATION_STALE(`deployment ${rec.plan.deploymentId} no longer exists`)
  const evidence: Record<string, unknown> = { at: now.toISOString(), previous_savings: rec.estimatedSavingsUsd }
  if (CONFIG_ONLY_TYPES.includes(rec.type)) return { savingsUsd: rec.estimatedSavingsUsd, evidence: { ...evidence, note: 'configuration change: fleet re-read, estimate kept' } }
  const stable = res.instances.filter((i) => dep.stable.instanceIds.includes(i.id))
  const currentMonthly = stable.reduce((s, i) => s + i.hourlyUsd, 0) * HOURS_PER_MONTH
  const prices = await pricesFor(deps.cloud, rec.plan.pools)
  const plannedMonthly = planMonthlyUsd(rec.plan.pools, prices)
  if (plannedMonthly === null) throw new errors.OPT_RECOMMENDATION_STALE('a planned instance type has no current price')
  const savings = Math.round((currentMonthly - plannedMonthly) * 100) / 100
  if (rec.estimatedSavingsUsd >= 0 && !(savings > 0)) throw new errors.OPT_RECOMMENDATION_STALE(`at current prices the change no longer saves money (${savings.toFixed(2)} USD/month)`)
  // a change proposed at an extra cost (adding needed capacity) is stale only once it costs clearly more than proposed
  const costLimit = rec.estimatedSavingsUsd * (1 + OVERSPEND_TOLERANCE_SHARE)
  if (rec.estimatedSavingsUsd < 0 && savings < costLimit) throw new errors.OPT_RECOMMENDATION_STALE(`at current prices the change costs ${(-savings).toFixed(2)} USD/month, more than the ${(-rec.estimatedSavingsUsd).toFixed(2)} proposed`)
  return { savingsUsd: savings, evidence: { ...evidence, current_monthly_usd: round2(currentMonthly), planned_monthly_usd: round2(plannedMonthly), savings_usd: savings } }
}

const round2 = (x: number) => Math.round(x * 100) / 100
