/**
 * Cost rules for placement: GPU right-sizing (a cheaper instance type that still meets the SLO
 * at the daily peak, per the serving model) and cross-cloud placement AWS↔GCP, which must also
 * pay for the traffic that then crosses clouds. Pure.
 */
import type { CatalogEntry } from '../../cloud/catalog/catalog.ts'
import { vllmDefaultsFor, type EngineConfig, type ModelSpec } from '../../cloud/model/serving.ts'
import type { Cloud, Pricing } from '../../cloud/provider.ts'
import { BYTES_PER_TOKEN, MESSAGE_OVERHEAD_BYTES, wireGb } from '../../cloud/model/wire.ts'
import type { AgentContext } from '../agent.ts'
import { HOURS_PER_MONTH, availabilityFloor, capacityPerInstance, hourlyPrice, instanceFacts, instancesNeeded, latencyBudget, type GroupPrediction, type InstanceFacts } from '../fleet.ts'
import { type DeploymentState } from '../state.ts'
import { monthlyOf, worthIt, type CostPlan, type PricedPool } from './rules.ts'
import { consolidated } from '../resource/rules.ts'
import { monthlyAfter } from '../resource/pools.ts'

/**
 * Engine configs a model could run with on another GPU: the smallest tensor parallelism that fits
 * (most replicas) and the whole instance as one replica (lowest latency); vLLM's batching defaults
 * for the new GPU where the customer kept the defaults of the old one.
 */
export function configsFor(model: ModelSpec, current: EngineConfig, currentGpu: string, entry: CatalogEntry, t: DeploymentState['deployment']['traffic']): EngineConfig[] {
  const d = vllmDefaultsFor(currentGpu)
  const keptDefaults = current.maxNumSeqs === d.maxNumSeqs && current.maxNumBatchedTokens === d.maxNumBatchedTokens
  const batching = keptDefaults ? vllmDefaultsFor(entry.gpuType) : current
  const fitting = [1, 2, 4, 8]
    .filter((tp) => tp <= entry.gpuCount && entry.gpuCount % tp === 0)
    .map((tp) => ({ ...current, maxNumSeqs: batching.maxNumSeqs, maxNumBatchedTokens: batching.maxNumBatchedTokens, tensorParallelSize: tp }))
    .filter((config) => capacityPerInstance(model, config, entry.gpuType, entry.gpuCount, t) > 0)
  const smallest = fitting[0]
  const whole = fitting.at(-1)
  return smallest === undefined ? [] : whole && whole !== smallest ? [smallest, whole] : [smallest]
}

/** A candidate placement: instance type, engine config, count and price, verified against the budget. */
interface Placement { entry: CatalogEntry; config: EngineConfig; pool: PricedPool; prediction: GroupPrediction }

/** An instance type and engine config the model fits, with its load-independent facts. */
interface Candidate { entry: CatalogEntry; config: EngineConfig; facts: InstanceFacts }

// The candidate table depends only on the model, config, request shape and catalog slice, which
// many deployments share; rebuilding it per deployment dominated a 1,000-instance analysis.
const candidateMemo = new Map<string, Candidate[]>()

/** Forgets memoized candidate tables (the benchmark measures cold analyses with it). */
export function clearPlacementMemos(): void {
  candidateMemo.clear()
}

function candidatesFor(state: DeploymentState, currentGpu: string, entries: CatalogEntry[], sliceKey: string): Candidate[] {
  const dep = state.deployment
  const t = state.traffic
  const key = `${sliceKey}|${currentGpu}|${JSON.stringify(dep.model)}|${JSON.stringify(dep.stable.config)}|${t.promptTokensMean}|${t.outputTokensMean}|${t.prefixShare}|${t.efficiency}`
  const hit = candidateMemo.get(key)
  if (hit) return hit
  const out: Candidate[] = []
  for (const entry of entries) {
    for (const config of configsFor(dep.model, dep.stable.config, currentGpu, entry, state.traffic)) {
      out.push({ entry, config, facts: instanceFacts(dep.model, config, entry.gpuType, entry.gpuCount, state.traffic) })
    }
  }
  if (candidateMemo.size > 2000) candidateMemo.clear()
  candidateMemo.set(key, out)
  return out
}

/**
 * Cheapest verified placement among catalog entries: candidates whose no-load latency misses the
 * budget, or whose lower-bound cost misses `maxMonthlyUsd`, are pruned; survivors are verified
 * cheapest-first with the serving model.
 */
export function cheapestPlacement(ctx: AgentContext, state: DeploymentState, entries: CatalogEntry[], pricing: Pricing, maxMonthlyUsd: number, sliceKey: string): Placement | null {
  const dep = state.deployment
  const budget = latencyBudget(dep.slo, state.peak)
  const current = state.pools[0]!
  const floor = availabilityFloor(state.pools)
  const options: (Candidate & { hourly: number; estimate: boolean; source: string; lower: number })[] = []
  for (const c of candidatesFor(state, current.gpuType, entries, sliceKey)) {
    if (c.facts.floorP95Ms > budget.p95Ms || c.facts.floorP99Ms > budget.p99Ms) continue
    const price = hourlyPrice(ctx, c.entry.cloud, c.entry.region, c.entry.instanceType, pricing)
    if (!price) continue
    const lower = Math.max(floor, Math.ceil(state.rpsPeak / (c.facts.capacityRps * 0.8))) * price.hourlyUsd * HOURS_PER_MONTH
    if (lower < maxMonthlyUsd) options.push({ ...c, hourly: price.hourlyUsd, estimate: price.estimate, source: price.source, lower })
  }
  // Cheapest first; the first candidate that verifies wins.
  for (const o of options.sort((a, b) => a.lower - b.lower)) {
    const need = instancesNeeded(dep.model, o.config, o.entry.gpuType, o.entry.gpuCount, state.rpsPeak, state.traffic, budget, floor)
    if (!need) continue
    const pool: PricedPool = {
      cloud: o.entry.cloud, region: o.entry.region, instanceType: o.entry.instanceType, pricing, count: need.count,
      gpuType: o.entry.gpuType, gpuCount: o.entry.gpuCount, hourlyUsd: o.hourly, priceSource: o.source, estimate: o.estimate,
    }
    if (monthlyOf([pool]) < maxMonthlyUsd) return { entry: o.entry, config: o.config, pool, prediction: need.prediction }
  }
  return null
}

/**
 * What the current type would cost with just the instances the peak needs: the bar a type or
 * cloud change must beat, so that neither claims what is really a consolidation (resource agent).
 */
export function consolidatedMonthlyUsd(state: DeploymentState): number {
  const target = consolidated(state)
  return target ? monthlyAfter(state.pools, target.pools) : state.monthlyCostUsd
}

/** Right-sizing: another instance type in the same cloud and region, same purchase option, meeting the SLO at peak and beating `barUsd` by 10%. */
export function planRightsizing(ctx: AgentContext, state: DeploymentState, barUsd = state.monthlyCostUsd): (CostPlan & { config: EngineConfig }) | null {
  const [pool, ...rest] = state.pools
  if (!pool || rest.length > 0) return null
  const entries = ctx.catalog.entries.filter((e) => e.cloud === pool.cloud && e.region === pool.region && e.instanceType !== pool.instanceType)
  const best = cheapestPlacement(ctx, state, entries, pool.pricing, barUsd * 0.9, `rs|${pool.cloud}|${pool.region}|${pool.instanceType}`)
  if (!best) return null
  const after = monthlyOf([best.pool])
  const savings = state.monthlyCostUsd - after
  if (!worthIt(savings, state.monthlyCostUsd)) return null
  return {
    pools: [best.pool], config: best.config, monthlyBeforeUsd: state.monthlyCostUsd, monthlyAfterUsd: after, savingsUsd: savings, estimate: best.pool.estimate,
    notes: { from: `${pool.count}× ${pool.instanceType} (${pool.gpuType})`, to: `${best.pool.count}× ${best.pool.instanceType} (${best.pool.gpuType})`, tensor_parallel_size: best.config.tensorParallelSize, peak_saturation: best.prediction.saturation, peak_p95_ms: best.prediction.p95Ms },
  }
}

/** Internet egress per GB leaving a cloud (catalog, sourced in egressSource). */
function egressRate(ctx: AgentContext, cloud: Cloud): number {
  return ctx.catalog.egressUsdPerGb[cloud]
}

/**
 * Monthly data-transfer cost a move to `target` adds: the callers stay where the deployment is
 * now, so prompts leave the current cloud and answers leave the target cloud, each at the sender's
 * internet egress rate. Bytes are estimated from the traffic's mean token counts.
 */
export function crossCloudEgressUsd(ctx: AgentContext, state: DeploymentState, from: Cloud, target: Cloud): { usd: number; gbPerMonth: number; requestsPerMonth: number } {
  const t = state.traffic
  const requests = t.baseRps * 3600 * HOURS_PER_MONTH
  const promptGb = wireGb(requests, t.promptTokensMean)
  const answerGb = wireGb(requests, t.outputTokensMean)
  return { usd: promptGb * egressRate(ctx, from) + answerGb * egressRate(ctx, target), gbPerMonth: promptGb + answerGb, requestsPerMonth: requests }
}

/** Cross-cloud placement: the cheapest type on the other cloud meeting the SLO, counting egress, beating the best in-cloud option `barUsd` by 10%. */
export function planCrossCloud(ctx: AgentContext, state: DeploymentState, barUsd = state.monthlyCostUsd): (CostPlan & { config: EngineConfig; targetCloud: Cloud }) | null {
  const [pool, ...rest] = state.pools
  if (!pool || rest.length > 0) return null
  const target: Cloud = pool.cloud === 'aws' ? 'gcp' : 'aws'
  const egress = crossCloudEgressUsd(ctx, state, pool.cloud, target)
  const entries = ctx.catalog.entries.filter((e) => e.cloud === target)
  const best = cheapestPlacement(ctx, state, entries, pool.pricing, barUsd * 0.9 - egress.usd, `cc|${target}`)
  if (!best) return null
  const compute = monthlyOf([best.pool])
  const after = compute + egress.usd
  const savings = state.monthlyCostUsd - after
  if (!worthIt(savings, state.monthlyCostUsd)) return null
  return {
    pools: [best.pool], config: best.config, targetCloud: target, monthlyBeforeUsd: state.monthlyCostUsd, monthlyAfterUsd: after, savingsUsd: savings, estimate: true,
    notes: {
      from: `${pool.cloud}/${pool.region} ${pool.count}× ${pool.instanceType}`, to: `${target}/${best.pool.region} ${best.pool.count}× ${best.pool.instanceType}`,
      compute_monthly_usd: compute, egress_monthly_usd: egress.usd, egress_gb_per_month: egress.gbPerMonth, requests_per_month: egress.requestsPerMonth,
      egress_rates_usd_per_gb: { [pool.cloud]: egressRate(ctx, pool.cloud), [target]: egressRate(ctx, target) },
      egress_assumptions: `${BYTES_PER_TOKEN} bytes/token + ${MESSAGE_OVERHEAD_BYTES} bytes/message; callers stay in ${pool.cloud}`,
    },
  }
}
