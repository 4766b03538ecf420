/**
 * The cost agent: finds money in purchase options (spot, commitments) and placement (GPU type,
 * cloud), each with savings from the catalog and price list, risk with reasons, and evidence.
 */
import type { EngineConfig } from '../../cloud/model/serving.ts'
import type { RecommendationDraft, RecommendationType } from '../../recommendations/recommendation.ts'
import type { Agent, AgentContext, Finding, RecommendationUnderReview, ValidationVerdict } from '../agent.ts'
import { cents, confidenceOf, entryOf, finite, predictGroup, riskOf, shapesOf } from '../fleet.ts'
import { predictedLatency, dataUsed, deploymentStates, type DeploymentState, recommendFromFinding } from '../state.ts'
import { consolidatedMonthlyUsd, planCrossCloud, planRightsizing } from './placement.ts'
import { idleFindings } from './idle.ts'
import { planReservedCapacity, planSpotMigration, type CostPlan, type PricedPool } from './rules.ts'

/** Version reported at registration; bump when the rules change meaningfully. */
export const COST_AGENT_VERSION = '1.0.0'

type Opportunity = CostPlan & { config?: EngineConfig }

/** "2× p4d.24xlarge on-demand" style summary of pools. */
export function poolSummary(pools: { count: number; instanceType: string; pricing: string; cloud?: string }[]): string {
  return pools.map((p) => `${p.count}× ${p.instanceType} ${p.pricing}`).join(' + ')
}

function finding(kind: RecommendationType, state: DeploymentState, plan: Opportunity, summary: string): Finding {
  return {
    kind, deploymentId: state.deployment.id, severity: plan.savingsUsd > 5000 ? 'warning' : 'info', summary, source: state.source,
    data: { plan },
  }
}

/** Interruption risk points of a spot pool's band: AWS bands from the Spot Advisor, GCP unpublished. */
export function bandPoints(band: string): number {
  if (band === '<5%') return 0
  if (band === '5-10%' || band === '10-15%' || band === '15-20%') return 1
  return 2
}

function spotRisk(ctx: AgentContext, state: DeploymentState, plan: CostPlan) {
  const dep = state.deployment
  const items: { points: number; reason: string }[] = []
  for (const p of plan.pools.filter((x) => x.pricing === 'spot')) {
    const spot = entryOf(ctx, p.cloud, p.instanceType).spot!
    items.push({ points: bandPoints(spot.interruptionBand), reason: `${p.instanceType}: interruption band ${spot.interruptionBand} per month, ${spot.noticeSeconds} s notice` })
  }
  const worst = Math.max(...items.map((i) => i.points))
  const merged = items.map((i, k) => ({ ...i, points: k === 0 ? worst : 0 }))
  if (dep.latencyCritical) merged.push({ points: 1, reason: `latency-critical: ${plan.notes.on_demand_floor} on-demand instance(s) kept as a floor` })
  if (dep.model.paramsB >= 30) merged.push({ points: 1, reason: `${dep.model.paramsB}B model: a replacement needs minutes to load weights, longer than the interruption notice` })
  const spotCount = plan.pools.filter((p) => p.pricing === 'spot').reduce((s, p) => s + p.count, 0)
  const total = plan.pools.reduce((s, p) => s + p.count, 0)
  if (spotCount > 0 && total > 1) {
    const lost = plan.pools.map((p, i) => ({ ...p, count: p.count - (i === plan.pools.findIndex((x) => x.pricing === 'spot') ? 1 : 0) }))
    const sat = predictGroup(dep.model, dep.stable.config, shapesOf(lost), state.rpsPeak, state.traffic).saturation
    merged.push({ points: sat > 1 ? 1 : 0, reason: `one interruption leaves peak saturation ${finite(sat, 2)}` })
  } else if (total === 1) {
    merged.push({ points: 1, reason: 'single instance: an interruption stops serving until a replacement starts' })
  }
  if (plan.estimate) merged.push({ points: 1, reason: 'spot price estimated from the catalog band (no live quote)' })
  return riskOf(merged)
}

function riskFor(kind: RecommendationType, ctx: AgentContext, state: DeploymentState, plan: Opportunity) {
  const dep = state.deployment
  switch (kind) {
    case 'spot_migration':
      return spotRisk(ctx, state, plan)
    case 'reserved_capacity':
      return riskOf([
        { points: 1, reason: '1-year commitment: paid whether or not the capacity is used' },
        ...(plan.estimate ? [{ points: 1, reason: 'commitment discount is a labelled estimate, not a sourced rate' }] : []),
      ])
    case 'instance_rightsizing':
      return riskOf([
        { points: 1, reason: `different GPU (${plan.notes.to}): new latency profile, verified by canary` },
        ...(dep.latencyCritical ? [{ points: 1, reason: 'latency-critical deployment' }] : []),
        ...(state.source === 'model' ? [{ points: 1, reason: 'no telemetry yet: capacity from the serving model only' }] : []),
      ])
    default:
      return riskOf([
        { points: 2, reason: 'cross-cloud move: new provider account, networking and data path' },
        { points: 1, reason: 'egress bytes estimated from token counts' },
        ...(dep.latencyCritical ? [{ points: 1, reason: 'latency-critical: callers gain a cross-cloud round trip' }] : []),
      ])
  }
}

const TITLES: Record<string, (d: string, before: string, after: string) => string> = {
  spot_migration: (d, b, a) => `Move ${d} to spot: ${b} → ${a}`,
  reserved_capacity: (d, b, a) => `Commit 1 year for ${d}'s base load: ${b} → ${a}`,
  instance_rightsizing: (d, b, a) => `Right-size ${d}: ${b} → ${a}`,
  cross_cloud_migration: (d, b, a) => `Move ${d} across clouds: ${b} → ${a}`,
}

function draftOf(kind: RecommendationType, ctx: AgentContext, state: DeploymentState, plan: Opportunity): RecommendationDraft {
  const dep = state.deployment
  const config = plan.config ?? dep.stable.config
  const risk = riskFor(kind, ctx, state, plan)
  const afterNow = predictGroup(dep.model, config, shapesOf(plan.pools), state.rpsNow, state.traffic)
  const before = poolSummary(state.pools)
  const after = poolSummary(plan.pools)
  const pools = plan.pools.map(({ cloud, region, instanceType, pricing, count }) => ({ cloud, region, instanceType, pricing, count }))
  return {
    type: kind, agentType: 'cost', deploymentId: dep.id, title: TITLES[kind]!(dep.name, before, after),
    riskLevel: risk.level, riskReasons: risk.reasons, estimatedMonthlySavingsUsd: cents(plan.savingsUsd),
    confidence: confidenceOf(state.source, { estimate: plan.estimate, crossCloud: kind === 'cross_cloud_migration' }),
    predicted: {
      monthlyCostUsdBefore: cents(plan.monthlyBeforeUsd), monthlyCostUsdAfter: cents(plan.monthlyAfterUsd),
      ...predictedLatency(state, afterNow),
      throughputCapacityRatio: finite(afterNow.capacityRps / state.now.capacityRps, 3) ?? undefined,
    },
    evidence: {
      source: state.source, data_used: dataUsed(ctx, state), observed: state.observed, prices_at: ctx.now,
      before: state.pools.map((p) => ({ instance_type: p.instanceType, pricing: p.pricing, count: p.count, hourly_usd_paid: cents(p.hourlyUsd) })),
      after: plan.pools.map((p: PricedPool) => ({ instance_type: p.instanceType, cloud: p.cloud, region: p.region, pricing: p.pricing, count: p.count, hourly_usd: p.hourlyUsd, price_source: p.priceSource, estimate: p.estimate })),
      model: { rps_now: finite(state.rpsNow), rps_peak: finite(state.rpsPeak), saturation_now: finite(state.now.saturation), saturation_after_now: finite(afterNow.saturation) },
      ...plan.notes,
    },
    plan: { deploymentId: dep.id, pools, config, summary: `${before} → ${after}` },
    dedupeKey: `${kind}:${dep.id}`,
  }
}

function opportunities(ctx: AgentContext, state: DeploymentState): Finding[] {
  const out: Finding[] = []
  const spot = planSpotMigration(ctx, state)
  if (spot) out.push(finding('spot_migration', state, spot, `on-demand group could run on spot for $${cents(spot.savingsUsd)}/month less`))
  const reserved = planReservedCapacity(ctx, state, !!spot)
  if (reserved) out.push(finding('reserved_capacity', state, reserved, `steady base load could be committed for $${cents(reserved.savingsUsd)}/month less`))
  // A type or cloud change must beat simply dropping unneeded instances of today's type.
  const consolidated = consolidatedMonthlyUsd(state)
  const rightsized = planRightsizing(ctx, state, consolidated)
  if (rightsized) out.push(finding('instance_rightsizing', state, rightsized, `${rightsized.notes.to} meets the SLO for $${cents(rightsized.savingsUsd)}/month less`))
  const moved = planCrossCloud(ctx, state, Math.min(consolidated, rightsized?.monthlyAfterUsd ?? consolidated))
  if (moved) out.push(finding('cross_cloud_migration', state, moved, `${moved.notes.to} saves $${cents(moved.savingsUsd)}/month after egress`))
  return out
}

/** The cost agent. */
export const costAgent: Agent = {
  type: 'cost',
  version: COST_AGENT_VERSION,
  capabilities: ['cost_optimization', 'spot_migration', 'reserved_capacity', 'instance_rightsizing', 'cross_cloud_migration'],
  async detect(ctx) {
    return [...deploymentStates(ctx).flatMap((state) => opportunities(ctx, state)), ...idleFindings(ctx)]
  },
  recommend: recommendFromFinding<Opportunity>('plan', draftOf),
  // Cost has no veto over others' changes: their cost effect is already in their own prediction.
  validates: () => false,
  async validate(rec: RecommendationUnderReview): Promise<ValidationVerdict> {
    const delta = rec.predicted.monthlyCostUsdAfter - rec.predicted.monthlyCostUsdBefore
    const approved = delta <= 0 || rec.type === 'autoscaling'
    return {
      approved, baseline_established: false, data: { monthly_cost_delta_usd: cents(delta) },
      reason: delta <= 0 ? `cost falls by $${cents(-delta)}/month` : approved ? `cost rises by $${cents(delta)}/month to add needed capacity` : `cost rises by $${cents(delta)}/month without a capacity need`,
    }
  },
}
