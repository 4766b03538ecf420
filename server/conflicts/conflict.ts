/**
 * The orchestrator's conflict rules, pure. Two recommendations conflict when they change the same
 * deployment: each plan replaces its stable group as it was when the plan was made, so running
 * both as planned would have the second undo the first. Resolution follows the priority
 * Customer preference > Performance > Cost:
 *  - prioritize_customer: a preference (never spot here, risk tolerance, an explicit cost or
 *    performance priority) rules a recommendation out or picks one;
 *  - negotiate_hybrid: a pricing change (spot) and a configuration change (performance) of the
 *    same instance type are merged into one plan with two pools — an on-demand floor and spot —
 *    running the performance configuration, so both goals are partly met;
 *  - sequential_execution: otherwise, one after the other in priority order, the later re-planned
 *    on the fleet the earlier leaves;
 *  - parallel_execution: no shared resource, no conflict.
 */
import type { Preferences } from '../../api/common.ts'
import type { ChangePlan, PredictedEffect, RecommendationType, RiskLevel } from '../recommendations/recommendation.ts'
import { CONFIG_ONLY_TYPES } from '../rollouts/rollout.ts'

/** What the rules look at. */
export interface ConflictRec {
  id: string
  type: RecommendationType
  agentType: string
  deploymentId: string
  riskLevel: RiskLevel
  estimatedSavingsUsd: number
  confidence: number
  predicted: PredictedEffect
  plan: ChangePlan
  /** Alternatives of one group exclude each other: never two of them executed (server/desired). */
  exclusiveGroup?: string | null
}

/** Strategies. */
export type Strategy = 'prioritize_customer' | 'negotiate_hybrid' | 'sequential_execution' | 'parallel_execution'

/** A detected conflict between two recommendations. */
export interface Conflict { recommendation_ids: [string, string]; resource: string; intents: [string, string]; reason: string }

/** The plan of a negotiated hybrid. */
export interface HybridSolution {
  deployment_id: string
  source_recommendation_ids: string[]
  plan: ChangePlan
  on_demand_instances: number
  spot_instances: number
  estimated_savings: number
  risk_level: RiskLevel
  predicted: PredictedEffect
}

/** The decision. */
export interface Resolution {
  conflict_detected: boolean
  conflicts: Conflict[]
  strategy: Strategy
  chosen_recommendation: string | null
  hybrid_solution: HybridSolution | null
  execution_order: string[] | null
  /** Recommendations the decision sets aside (superseded on execution). */
  superseded: string[]
  rationale: string
}

/** The lever a recommendation pulls and the goal it serves (its "intent"). */
export function intentOf(r: ConflictRec): string {
  const lever = r.type === 'spot_migration' || r.type === 'reserved_capacity' ? 'pricing'
    : CONFIG_ONLY_TYPES.includes(r.type) ? 'engine_config'
      : r.type === 'cross_cloud_migration' ? 'placement' : 'capacity'
  return `${lever} (${r.agentType})`
}

/** Pairs of recommendations that change the same deployment. */
export function detectConflicts(recs: ConflictRec[]): Conflict[] {
  const out: Conflict[] = []
  recs.forEach((a, i) => recs.slice(i + 1).forEach((b) => {
    if (a.deploymentId !== b.deploymentId) return
    out.push({
      recommendation_ids: [a.id, b.id], resource: `deployment ${a.deploymentId}`, intents: [intentOf(a), intentOf(b)],
      reason: `both replace the stable group of ${a.deploymentId} (${a.type}: "${a.plan.summary}" vs ${b.type}: "${b.plan.summary}"); applied as planned the second would undo the first`,
    })
  }))
  return out
}

const AGENT_PRIORITY: Record<string, number> = { performance: 0, application: 0, resource: 1, cost: 2 }
const RISK_RANK: Record<RiskLevel, number> = { low: 0, medium: 1, high: 2 }

/** Priority order: performance before resource before cost; then larger savings. */
export function byPriority(a: ConflictRec, b: ConflictRec): number {
  return (AGENT_PRIORITY[a.agentType] ?? 3) - (AGENT_PRIORITY[b.agentType] ?? 3) || b.estimatedSavingsUsd - a.estimatedSavingsUsd || a.id.localeCompare(b.id)
}

/** Why a customer preference rules a recommendation out, or null. */
export function preferenceViolation(r: ConflictRec, prefs: Preferences): string | null {
  if (prefs.never_spot_deployments?.includes(r.deploymentId) && r.plan.pools.some((p) => p.pricing === 'spot')) return `customer never wants spot for ${r.deploymentId}`
  if (prefs.risk_tolerance && RISK_RANK[r.riskLevel] > RISK_RANK[prefs.risk_tolerance]) return `${r.riskLevel} risk exceeds the customer's ${prefs.risk_tolerance} risk tolerance`
  return null
}

/** Resolves a set of recommendations of one customer under its preferences. */
export function resolveConflicts(recs: ConflictRec[], prefs: Preferences): Resolution {
  const conflicts = detectConflicts(recs)
  const none = { conflict_detected: conflicts.length > 0, conflicts, chosen_recommendation: null, hybrid_solution: null, superseded: [] as string[] }
  if (conflicts.length === 0) {
    return { ...none, strategy: 'parallel_execution', execution_order: [...recs].sort(byPriority).map((r) => r.id), rationale: 'no two recommendations change the same deployment: they can run side by side' }
  }
  const involved = recs.filter((r) => conflicts.some((c) => c.recommendation_ids.includes(r.id)))
  const byCustomer = prioritizeCustomer(involved, prefs)
  if (byCustomer) return { ...none, ...byCustomer, execution_order: null, hybrid_solution: null }
  const [first, second] = [...involved].sort(byPriority)
  const hybrid = involved.length === 2 && first && second ? negotiateHybrid(first, second) : null
  if (hybrid) {
    return {
      ...none, strategy: 'negotiate_hybrid', hybrid_solution: hybrid, execution_order: null, superseded: involved.map((r) => r.id),
      rationale: `Performance outranks cost, but both can be met: the ${first!.type} configuration runs on ${hybrid.on_demand_instances} on-demand (a floor for latency and interruption risk) and ${hybrid.spot_instances} spot instance(s); estimated savings ${hybrid.estimated_savings.toFixed(0)} USD/month`,
    }
  }
  const { order, dropped } = oneOfEachGroup([...involved].sort(byPriority))
  const why = dropped.length ? `; ${dropped.map((r) => `${r.id} dropped (an alternative of ${r.exclusiveGroup} already runs)`).join('; ')}` : ''
  return {
    ...none, strategy: 'sequential_execution', execution_order: order.map((r) => r.id), superseded: dropped.map((r) => r.id),
    rationale: `the changes cannot be merged into one plan; they run one after the other in priority order (performance before cost), each later one re-planned on the fleet the earlier leaves (and dropped if it no longer saves or fits): ${order.map((r) => r.id).join(' → ')}${why}`,
  }
}

/** Keeps the first (highest-priority) recommendation of each exclusive group, in order; the rest are dropped. */
export function oneOfEachGroup(sorted: ConflictRec[]): { order: ConflictRec[]; dropped: ConflictRec[] } {
  const seen = new Set<string>()
  const order: ConflictRec[] = []
  const dropped: ConflictRec[] = []
  for (const r of sorted) {
    if (r.exclusiveGroup && seen.has(r.exclusiveGroup)) { dropped.push(r); continue }
    if (r.exclusiveGroup) seen.add(r.exclusiveGroup)
    order.push(r)
  }
  return { order, dropped }
}

function prioritizeCustomer(recs: ConflictRec[], prefs: Preferences): Pick<Resolution, 'strategy' | 'chosen_recommendation' | 'superseded' | 'rationale'> | null {
  const violations = new Map(recs.map((r) => [r.id, preferenceViolation(r, prefs)]))
  const allowed = recs.filter((r) => !violations.get(r.id))
  if (allowed.length > 0 && allowed.length < recs.length) {
    const chosen = [...allowed].sort(byPriority)[0]!
    const why = recs.filter((r) => violations.get(r.id)).map((r) => `${r.type}: ${violations.get(r.id)}`).join('; ')
    return { strategy: 'prioritize_customer', chosen_recommendation: chosen.id, superseded: recs.filter((r) => r.id !== chosen.id).map((r) => r.id), rationale: `customer preference first: ${why}; chosen ${chosen.type}` }
  }
  const wanted = prefs.priority === 'cost' ? 'cost' : prefs.priority === 'performance' ? 'performance' : null
  const pick = wanted ? [...recs].filter((r) => r.agentType === wanted).sort(byPriority)[0] : undefined
  if (pick) return { strategy: 'prioritize_customer', chosen_recommendation: pick.id, superseded: recs.filter((r) => r.id !== pick.id).map((r) => r.id), rationale: `the customer's stated priority is ${wanted}: chosen ${pick.type} from the ${wanted} agent` }
  return null
}

/**
 * Merges a pricing (spot) change and a configuration change of the same single instance type:
 * an on-demand floor of ⌈n/2⌉ instances and ⌊n/2⌋ spot, all running the configuration change.
 * Savings: the spot share of the pricing savings plus the configuration change's own.
 */
export function negotiateHybrid(a: ConflictRec, b: ConflictRec): HybridSolution | null {
  const pricing = [a, b].find((r) => r.type === 'spot_migration')
  const config = [a, b].find((r) => CONFIG_ONLY_TYPES.includes(r.type))
  if (!pricing || !config || pricing === config) return null
  const types = new Set([...pricing.plan.pools, ...config.plan.pools].map((p) => `${p.cloud}|${p.region}|${p.instanceType}`))
  const n = pricing.plan.pools.reduce((s, p) => s + p.count, 0)
  const base = pricing.plan.pools[0]
  if (types.size !== 1 || n < 2 || !base) return null
  const onDemand = Math.ceil(n / 2)
  const spot = n - onDemand
  const savings = Math.round((pricing.estimatedSavingsUsd * (spot / n) + Math.max(0, config.estimatedSavingsUsd)) * 100) / 100
  const before = pricing.predicted.monthlyCostUsdBefore
  const plan: ChangePlan = {
    deploymentId: pricing.deploymentId,
    pools: [{ ...base, pricing: 'on-demand', count: onDemand }, { ...base, pricing: 'spot', count: spot }],
    config: config.plan.config,
    summary: `hybrid: ${onDemand}× ${base.instanceType} on-demand + ${spot}× spot, with ${config.plan.summary}`,
  }
  const risk: RiskLevel = RISK_RANK[pricing.riskLevel] > RISK_RANK.low ? (pricing.riskLevel === 'high' ? 'medium' : 'low') : 'low'
  return {
    deployment_id: pricing.deploymentId, source_recommendation_ids: [pricing.id, config.id], plan, on_demand_instances: onDemand, spot_instances: spot,
    estimated_savings: savings, risk_level: RISK_RANK[config.riskLevel] > RISK_RANK[risk] ? config.riskLevel : risk,
    predicted: { ...config.predicted, monthlyCostUsdBefore: before, monthlyCostUsdAfter: Math.max(0, before - savings) },
  }
}
