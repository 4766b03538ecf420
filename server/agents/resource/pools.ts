/**
 * Replica counts over a group of several pools: after a spot migration a latency-critical
 * deployment runs an on-demand floor beside spot instances, diversified over a second instance
 * type. How many instances such a group needs is judged on the whole group (the serving model
 * takes every pool's shape); which pool gives or takes instances is the rule here. Pure.
 */
import type { PoolSpec } from '../../cloud/provider.ts'
import type { DeploymentState } from '../state.ts'
import { HOURS_PER_MONTH, TARGET_PEAK_SATURATION, meetsBudget, predictGroup, type Budget, type GroupPrediction, type Pool, type PoolShape } from '../fleet.ts'
import { onDemandFloor } from '../cost/rules.ts'
import { countOf } from '../../desired/spec.ts'

/** Whether all pools are one instance type in one place (they differ only in purchase option). */
export function oneInstanceType(pools: Pool[]): boolean {
  const first = pools[0]
  return !!first && pools.every((p) => p.cloud === first.cloud && p.region === first.region && p.instanceType === first.instanceType)
}

const perInstance = (p: Pool) => p.hourlyUsd / p.count
const spec = (p: Pool, count: number): PoolSpec => ({ cloud: p.cloud, region: p.region, instanceType: p.instanceType, pricing: p.pricing, count })
const samePool = (p: Pool, a: PoolSpec) => p.cloud === a.cloud && p.region === a.region && p.instanceType === a.instanceType && p.pricing === a.pricing

/**
 * The group grown to `to` instances: a latency-critical deployment adds uninterruptible capacity
 * (its shortfall must not hang on spot capacity), any other adds its cheapest instances.
 */
export function growPools(pools: Pool[], to: number, latencyCritical: boolean): PoolSpec[] {
  const add = Math.max(0, to - countOf(pools))
  const byPrice = [...pools].sort((a, b) => perInstance(a) - perInstance(b))
  const target = (latencyCritical ? byPrice.find((p) => p.pricing !== 'spot') : undefined) ?? byPrice[0]
  return pools.map((p) => spec(p, p.count + (p === target ? add : 0)))
}

/** Monthly cost of `after` (a count change of `pools`), at each pool's current price per instance. */
export function monthlyAfter(pools: Pool[], after: PoolSpec[]): number {
  return after.reduce((s, a) => {
    const p = pools.find((x) => samePool(x, a))
    return s + (p ? perInstance(p) * a.count : 0)
  }, 0) * HOURS_PER_MONTH
}

/** The serving model's shapes of `after` (a count change of `pools`). */
export function shapesAfter(pools: Pool[], after: PoolSpec[]): PoolShape[] {
  return after.map((a) => {
    const p = pools.find((x) => samePool(x, a))!
    return { gpuType: p.gpuType, gpuCount: p.gpuCount, count: a.count }
  })
}

/** A count change and what the serving model predicts for it at the daily peak. */
export type Cut = { pools: PoolSpec[]; count: number; prediction: GroupPrediction }
const nonSpot = (pools: PoolSpec[]) => countOf(pools.filter((p) => p.pricing !== 'spot'))

/** `after` less one instance of the pool at `i`, if that keeps the uninterruptible floor a latency-critical deployment keeps at its new size. */
function lessOne(after: PoolSpec[], i: number, latencyCritical: boolean): PoolSpec[] | null {
  const next = after.map((p, j) => (j === i ? { ...p, count: p.count - 1 } : p))
  const floor = Math.min(nonSpot(after), onDemandFloor(latencyCritical, countOf(next)))
  return nonSpot(next) >= floor ? next : null
}

/** The serving model's prediction for the deployment on `after` at its daily peak. */
export function atPeak(state: DeploymentState, after: PoolSpec[]): GroupPrediction {
  const d = state.deployment
  return predictGroup(d.model, d.stable.config, shapesAfter(state.pools, after), state.rpsPeak, state.traffic)
}

// a group carries the peak when it meets the budget with headroom for bursts
const carries = (p: GroupPrediction, budget: Budget) => meetsBudget(p, budget) && p.saturation <= TARGET_PEAK_SATURATION

/**
 * The fewest instances a several-pool group can be cut to (never below `minCount`): one instance
 * at a time, the dearest whose going still leaves the group within the budget at the daily peak at
 * ≤ TARGET_PEAK_SATURATION (serving model over the remaining pools) and keeps the on-demand floor
 * of a latency-critical deployment (cost/rules.ts). Null when no instance can go.
 */
export function fewestInPools(state: DeploymentState, budget: Budget, minCount: number): Cut | null {
  const d = state.deployment
  const dearestFirst = state.pools.map((p, i) => ({ i, price: perInstance(p) })).sort((a, b) => b.price - a.price).map((x) => x.i)
  let after = state.pools.map((p) => spec(p, p.count))
  let best: Cut | null = null
  while (countOf(after) > Math.max(1, minCount)) {
    let step: Cut | null = null
    for (const i of dearestFirst.filter((j) => after[j]!.count > 0)) {
      const next = lessOne(after, i, d.latencyCritical)
      if (!next) continue
      const prediction = atPeak(state, next)
      if (carries(prediction, budget)) { step = { pools: next, count: countOf(next), prediction }; break }
    }
    if (!step) break
    after = step.pools
    best = step
  }
  return best && { ...best, pools: best.pools.filter((p) => p.count > 0) }
}
