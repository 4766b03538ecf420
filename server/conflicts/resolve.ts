/**
 * Resolving and executing conflicts between recommendations. `resolveConflict` decides (pure rules
 * in conflict.ts) and records the decision; `executeResolution` carries it out: approves the chosen
 * recommendation, or a negotiated hybrid composed as a new recommendation, or each in order; the
 * per-deployment lock of the workflow engine keeps conflicting optimizations from ever running on
 * the same deployment at once. Every agent involved and the orchestrator get `resolution_executed`.
 */
import type { Db } from '../db/db.ts'
import { errors } from '../errors.ts'
import { recordAudit } from '../audit/store.ts'
import { recordAgentEvent, type AgentEventInput } from '../orchestrator/store.ts'
import type { AgentType } from '../recommendations/recommendation.ts'
import { approvalProblem, approveRecommendation, type ApproveDeps } from '../optimizations/approve.ts'
import { copyValidations, customerPreferences, getRecommendations, insertComposedRecommendation, supersede, type StoredRecommendation } from '../optimizations/store.ts'
import { resolveConflicts, type ConflictRec, type HybridSolution } from './conflict.ts'
import { getResolution, insertResolution, markExecuted, type StoredResolution } from './store.ts'
import { groupOf } from '../desired/groups.ts'
import { stampDraft } from '../desired/delta.ts'

function conflictRec(r: StoredRecommendation): ConflictRec {
  return {
    id: r.id, type: r.type, agentType: r.agentType, deploymentId: r.plan.deploymentId ?? r.deploymentId ?? '', riskLevel: r.riskLevel,
    estimatedSavingsUsd: r.estimatedSavingsUsd, confidence: r.confidence, predicted: r.predicted, plan: r.plan, exclusiveGroup: groupOf(r),
  }
}

/** Loads a customer's pending recommendations by id: 404 for any not visible, 409 for any no longer pending. */
async function pendingRecs(db: Db, customerId: string, ids: string[]): Promise<StoredRecommendation[]> {
  const recs = await getRecommendations(db, ids)
  if (recs.length !== ids.length || recs.some((r) => r.customerId !== customerId)) throw new errors.OPT_NOT_FOUND('Recommendation')
  const done = recs.filter((r) => r.status !== 'pending')
  if (done.length) throw new errors.OPT_STATE_INVALID(`recommendation(s) no longer pending: ${done.map((r) => `${r.id} is ${r.status}`).join(', ')}`)
  return recs
}

/** Decides how to resolve the given recommendations and stores the decision. */
export async function resolveConflict(deps: ApproveDeps, actor: string, customerId: string, recIds: string[]): Promise<StoredResolution> {
  const recs = await pendingRecs(deps.db, customerId, recIds)
  const decision = resolveConflicts(recs.map(conflictRec), await customerPreferences(deps.db, customerId))
  const stored = await deps.db.tx(async (tx) => {
    const s = await insertResolution(tx, customerId, recIds, decision, actor, deps.clock.now())
    await recordAudit(tx, deps.clock, {
      customerId, actor, action: 'conflict:resolved', subjectType: 'conflict_resolution', subjectId: s.id,
      detail: { recommendation_ids: recIds, conflict_detected: s.conflict_detected, strategy: s.strategy, rationale: s.rationale, conflicts: s.conflicts },
    })
    return s
  })
  await deps.live.publish({ type: 'conflict:resolution:created', customerId, id: stored.id, data: { strategy: stored.strategy }, at: deps.clock.now().toISOString() }).catch(() => undefined)
  return stored
}

/** Executes a stored resolution once; executing it again answers with the same optimizations. */
export async function executeResolution(deps: ApproveDeps, actor: string, res: StoredResolution): Promise<{ optimizationIds: string[] }> {
  if (res.status === 'executed' && res.optimizationIds?.length) return { optimizationIds: res.optimizationIds }
  const recs = await getRecommendations(deps.db, res.recommendationIds)
  const ids = await startOptimizations(deps, actor, res, recs)
  const involved: AgentEventInput['agentType'][] = [...new Set<AgentEventInput['agentType']>([...recs.map((r) => r.agentType as AgentType), ...recs.flatMap((r) => r.validations.map((v) => v.agent_type)), 'orchestrator'])]
  await deps.db.tx(async (tx) => {
    await markExecuted(tx, res.id, ids, actor, deps.clock.now())
    await recordAudit(tx, deps.clock, { customerId: res.customerId, actor, action: 'conflict:executed', subjectType: 'conflict_resolution', subjectId: res.id, detail: { strategy: res.strategy, optimization_ids: ids, agents_notified: involved } })
    for (const agentType of involved) {
      await recordAgentEvent(tx, deps.clock, { customerId: res.customerId, agentType, eventType: 'resolution_executed', data: { resolution_id: res.id, strategy: res.strategy, optimization_ids: ids, recommendation_ids: res.recommendationIds } })
    }
  })
  await deps.live.publish({ type: 'conflict:resolution:executed', customerId: res.customerId, id: res.id, data: { optimization_ids: ids }, at: deps.clock.now().toISOString() }).catch(() => undefined)
  return { optimizationIds: ids }
}

async function startOptimizations(deps: ApproveDeps, actor: string, res: StoredResolution, recs: StoredRecommendation[]): Promise<string[]> {
  const byId = new Map(recs.map((r) => [r.id, r]))
  switch (res.strategy) {
    case 'prioritize_customer': {
      const chosen = byId.get(res.chosen_recommendation ?? '')
      if (!chosen) throw new errors.OPT_STATE_INVALID('the chosen recommendation no longer exists')
      const approved = await approveRecommendation(deps, actor, chosen.id)
      await deps.db.tx((tx) => supersede(tx, res.superseded, actor, `conflict resolution ${res.id}: ${res.rationale}`, deps.clock.now()))
      return [approved.optimization_id]
    }
    case 'negotiate_hybrid': {
      const composedId = await composeHybrid(deps, actor, res, res.hybrid_solution!, byId)
      return [(await approveRecommendation(deps, actor, composedId, { skipValidation: true })).optimization_id]
    }
    case 'sequential_execution':
    case 'parallel_execution': {
      const order = (res.execution_order ?? res.recommendationIds).map((id) => byId.get(id)).filter((r): r is StoredRecommendation => !!r)
      const blocked = order.filter((r) => !r.optimizationId && approvalProblem(r))
      if (blocked.length) throw new errors.OPT_RECOMMENDATION_NOT_VALIDATED(blocked.map((r) => `${r.id}: ${approvalProblem(r)}`).join('; '))
      const out: string[] = []
      // sequential: later runs queue behind earlier ones on the deployment lock and re-plan on start
      for (const [i, r] of order.entries()) out.push((await approveRecommendation(deps, actor, r.id, { rebase: res.strategy === 'sequential_execution' && i > 0 })).optimization_id)
      await deps.db.tx((tx) => supersede(tx, res.superseded, actor, `conflict resolution ${res.id}: ${res.rationale}`, deps.clock.now()))
      return out
    }
  }
}

/** The negotiated hybrid as a recommendation of its own (validated through its sources), sources superseded. */
async function composeHybrid(deps: ApproveDeps, actor: string, res: StoredResolution, h: HybridSolution, byId: Map<string, StoredRecommendation>): Promise<string> {
  const key = `hybrid:${res.id}`
  const existing = await deps.db.query<{ id: string }>('SELECT id FROM recommendations WHERE customer_id = $1 AND dedupe_key = $2 ORDER BY created_at LIMIT 1', [res.customerId, key])
  if (existing[0]) return existing[0].id
  const sources = h.source_recommendation_ids.map((id) => byId.get(id)).filter((r): r is StoredRecommendation => !!r)
  const pricing = sources.find((r) => r.type === 'spot_migration') ?? sources[0]!
  return deps.db.tx(async (tx) => {
    const id = await insertComposedRecommendation(tx, {
      customerId: res.customerId, deploymentId: h.deployment_id, type: 'spot_migration', agentType: pricing.agentType,
      title: `Hybrid spot/on-demand with ${sources.filter((s) => s !== pricing).map((s) => s.type).join(', ')} (negotiated by the orchestrator)`,
      riskLevel: h.risk_level, riskReasons: [`on-demand floor of ${h.on_demand_instances} instance(s) keeps latency-critical capacity off the spot market`],
      savingsUsd: h.estimated_savings, confidence: Math.min(...sources.map((s) => s.confidence)), predicted: h.predicted,
      evidence: { composed_by: 'orchestrator', resolution_id: res.id, sources: h.source_recommendation_ids, rationale: res.rationale },
      plan: h.plan, dedupeKey: key, validators: [...new Set(sources.flatMap((s) => s.validators))], at: deps.clock.now(),
    })
    await stampDraft(tx, res.customerId, id, { type: 'spot_migration', plan: h.plan })
    await copyValidations(tx, h.source_recommendation_ids, id)
    await supersede(tx, h.source_recommendation_ids, actor, `merged into hybrid recommendation ${id} (conflict resolution ${res.id})`, deps.clock.now())
    return id
  })
}

export { getResolution }
