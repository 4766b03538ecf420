/**
 * Cost rules for purchase options: spot migration (interruption band, on-demand floor for
 * latency-critical deployments, diversified types; peers §2) and 1-year commitments for the
 * steady base load. Pure: prices come from the context's price list and the catalog.
 */
import { gpuSpec } from '../../cloud/catalog/catalog.ts'
import type { PoolSpec } from '../../cloud/provider.ts'
import type { AgentContext } from '../agent.ts'
import { HOURS_PER_MONTH, entryOf, hourlyPrice, instancesNeeded, latencyBudget, predictGroup, shapesOf, type PoolShape } from '../fleet.ts'
import { type DeploymentState } from '../state.ts'

/** A pool of a plan with the hourly price it is expected to run at. */
export interface PricedPool extends PoolSpec { gpuType: string; gpuCount: number; hourlyUsd: number; priceSource: string; estimate: boolean }

/** A cost opportunity: the new pools, what they cost, and why. */
export interface CostPlan {
  pools: PricedPool[]
  monthlyBeforeUsd: number
  monthlyAfterUsd: number
  savingsUsd: number
  estimate: boolean
  notes: Record<string, unknown>
}

/** Share of a latency-critical group kept on-demand (SkyServe's base on-demand replicas; ≥ 1, peers §9). */
export const ON_DEMAND_FLOOR_SHARE = 0.25
/** A diversification type may cost at most this much more per hour on spot than the primary. */
export const DIVERSIFY_MAX_PREMIUM = 1.5
/** Opportunities below this share of the group's cost (or $100/month) are not worth a rollout. */
export const MIN_SAVINGS_SHARE = 0.1
export const MIN_SAVINGS_USD = 100

/** Monthly cost of priced pools. */
export function monthlyOf(pools: PricedPool[]): number {
  return pools.reduce((s, p) => s + p.count * p.hourlyUsd, 0) * HOURS_PER_MONTH
}

/** Whether a saving is large enough to propose. */
export function worthIt(savingsUsd: number, beforeUsd: number): boolean {
  return savingsUsd >= MIN_SAVINGS_USD && savingsUsd >= beforeUsd * MIN_SAVINGS_SHARE
}

function priced(ctx: AgentContext, base: Omit<PoolSpec, 'count'>, count: number): PricedPool | undefined {
  const price = hourlyPrice(ctx, base.cloud, base.region, base.instanceType, base.pricing)
  if (!price) return undefined
  const e = entryOf(ctx, base.cloud, base.instanceType)
  return { ...base, count, gpuType: e.gpuType, gpuCount: e.gpuCount, hourlyUsd: price.hourlyUsd, priceSource: price.source, estimate: price.estimate }
}

/** Another spot type with at least the same GPUs (count, memory, speed) within the price premium. */
export function diversificationType(ctx: AgentContext, primary: PricedPool, state: DeploymentState): PricedPool | undefined {
  const g = gpuSpec(primary.gpuType)
  const dep = state.deployment
  const candidates = ctx.catalog.entries.filter((e) => e.cloud === primary.cloud && e.region === primary.region && e.instanceType !== primary.instanceType
    && e.spot && e.gpuCount === primary.gpuCount && gpuSpec(e.gpuType).memoryGiB >= g.memoryGiB && gpuSpec(e.gpuType).relativeSpeed >= g.relativeSpeed)
  const options = candidates
    .map((e) => priced(ctx, { cloud: e.cloud, region: primary.region, instanceType: e.instanceType, pricing: 'spot' }, 0))
    .filter((p): p is PricedPool => !!p && p.hourlyUsd <= primary.hourlyUsd * DIVERSIFY_MAX_PREMIUM)
    .filter((p) => predictGroup(dep.model, dep.stable.config, [{ gpuType: p.gpuType, gpuCount: p.gpuCount, count: 1 }], 0, state.traffic).fits)
  return options.sort((a, b) => a.hourlyUsd - b.hourlyUsd)[0]
}

/** How many instances stay on-demand: none, or a floor for latency-critical deployments. */
export function onDemandFloor(latencyCritical: boolean, total: number): number {
  return latencyCritical ? Math.max(1, Math.ceil(total * ON_DEMAND_FLOOR_SHARE)) : 0
}

function neverSpot(ctx: AgentContext, state: DeploymentState): boolean {
  const never = ctx.preferences.never_spot_deployments ?? []
  return never.includes(state.deployment.id) || never.includes(state.deployment.name)
}

/**
 * Spot migration of an all-on-demand, single-type group: the same type on spot (split with an
 * equivalent type when there are ≥ 2 spot instances), keeping an on-demand floor when latency-critical.
 * Savings = today's cost at the prices paid − the plan at current spot prices.
 */
export function planSpotMigration(ctx: AgentContext, state: DeploymentState): CostPlan | null {
  const [pool, ...rest] = state.pools
  if (!pool || rest.length > 0 || pool.pricing !== 'on-demand' || neverSpot(ctx, state)) return null
  const base = { cloud: pool.cloud, region: pool.region, instanceType: pool.instanceType }
  const floor = onDemandFloor(state.deployment.latencyCritical, pool.count)
  const spotCount = pool.count - floor
  const spot = priced(ctx, { ...base, pricing: 'spot' }, spotCount)
  if (spotCount <= 0 || !spot) return null
  const pools: PricedPool[] = []
  if (floor > 0) pools.push(priced(ctx, { ...base, pricing: 'on-demand' }, floor)!)
  const alt = spotCount >= 2 ? diversificationType(ctx, spot, state) : undefined
  if (alt) {
    pools.push({ ...spot, count: Math.ceil(spotCount / 2) }, { ...alt, count: Math.floor(spotCount / 2) })
  } else {
    pools.push(spot)
  }
  const after = monthlyOf(pools)
  const savings = state.monthlyCostUsd - after
  if (!worthIt(savings, state.monthlyCostUsd)) return null
  return {
    pools, monthlyBeforeUsd: state.monthlyCostUsd, monthlyAfterUsd: after, savingsUsd: savings, estimate: pools.some((p) => p.estimate),
    notes: { on_demand_floor: floor, diversified_with: alt?.instanceType ?? null, spot_instances: spotCount },
  }
}

/** Base load: the daily trough of the traffic cycle, which runs around the clock. */
export function troughRps(state: DeploymentState): number {
  return state.traffic.baseRps * (1 - state.traffic.dailyAmplitude)
}

/**
 * A 1-year commitment for the instances the daily trough still needs, on groups that stay
 * on-demand (no spot market for the type, or the customer keeps them off spot). Commitment
 * discounts come from `commitmentFor`: sourced (GCP CUDs) or a labelled estimate (AWS).
 */
export function planReservedCapacity(ctx: AgentContext, state: DeploymentState, spotPlanned: boolean): CostPlan | null {
  const [pool, ...rest] = state.pools
  if (!pool || rest.length > 0 || pool.pricing !== 'on-demand' || spotPlanned) return null
  const dep = state.deployment
  const shape: PoolShape = { gpuType: pool.gpuType, gpuCount: pool.gpuCount, count: pool.count }
  const budget = latencyBudget(dep.slo, predictGroup(dep.model, dep.stable.config, [shape], troughRps(state), state.traffic))
  const needed = instancesNeeded(dep.model, dep.stable.config, pool.gpuType, pool.gpuCount, troughRps(state), state.traffic, budget)
  const reserve = Math.min(pool.count, needed?.count ?? 0)
  const base = { cloud: pool.cloud, region: pool.region, instanceType: pool.instanceType }
  const reserved = priced(ctx, { ...base, pricing: 'reserved' }, reserve)
  if (reserve <= 0 || !reserved) return null
  const pools = [reserved]
  if (pool.count > reserve) pools.push(priced(ctx, { ...base, pricing: 'on-demand' }, pool.count - reserve)!)
  const after = monthlyOf(pools)
  const savings = state.monthlyCostUsd - after
  if (!worthIt(savings, state.monthlyCostUsd)) return null
  return {
    pools, monthlyBeforeUsd: state.monthlyCostUsd, monthlyAfterUsd: after, savingsUsd: savings, estimate: reserved.estimate,
    notes: { term: '1y', reserved_instances: reserve, trough_rps: troughRps(state), commitment_source: reserved.priceSource, commitment_is_estimate: reserved.estimate, shapes: shapesOf(pools) },
  }
}
