/**
 * Pure fleet arithmetic shared by the agents: what a deployment runs on and pays now, what a
 * price list says a change would cost, and what the serving model predicts for a set of pools.
 */
import { commitmentFor, findInstanceType, HOURS_PER_MONTH, type CatalogEntry } from '../cloud/catalog/catalog.ts'
import { serve, trafficRpsAt, type EngineConfig, type ModelSpec, type TrafficProfile } from '../cloud/model/serving.ts'
import type { Cloud, FleetDeployment, FleetInstance, PoolSpec, Pricing, Slo } from '../cloud/provider.ts'
import type { AgentContext } from './agent.ts'
import { reportedP95, reportedP99 } from './reported.ts'

export { HOURS_PER_MONTH }
export { cents, confidenceOf, finite, riskOf } from './scoring.ts'

/** Identical running instances of one deployment group, with what they cost now. */
export interface Pool extends PoolSpec { gpuType: string; gpuCount: number; hourlyUsd: number; instanceIds: string[] }

/** A pool as the serving model needs it. */
export interface PoolShape { gpuType: string; gpuCount: number; count: number }

/** What the serving model predicts for a deployment on some pools at some request rate. */
export interface GroupPrediction {
  fits: boolean
  p50Ms: number
  p95Ms: number
  p99Ms: number
  ttftP95Ms: number
  itlP50Ms: number
  queueP95Ms: number
  errorRate: number
  /** rps / capacity: the load signal (peers §4.2), not GPU utilization. */
  saturation: number
  capacityRps: number
  kvCacheUsage: number
  preemptionsPerSec: number
  warnings: string[]
}

/** A price with where it came from; `estimate` marks placeholders (e.g. unsourced AWS commitments). */
export interface PriceResult { hourlyUsd: number; estimate: boolean; source: string }

// Instances by id, built once per fleet snapshot (a 1,000-instance fleet is scanned per deployment otherwise).
const instanceIndex = new WeakMap<FleetInstance[], Map<string, FleetInstance>>()

// Deployments by id, likewise: every validation looks up its recommendation's deployment.
const deploymentIndex = new WeakMap<FleetDeployment[], Map<string, FleetDeployment>>()

/** A deployment of the fleet snapshot by id. */
export function deploymentById(ctx: AgentContext, id: string | null | undefined): FleetDeployment | undefined {
  if (!id) return undefined
  let index = deploymentIndex.get(ctx.fleet.deployments)
  if (!index) {
    index = new Map(ctx.fleet.deployments.map((d) => [d.id, d]))
    deploymentIndex.set(ctx.fleet.deployments, index)
  }
  return index.get(id)
}

/** The running stable-group instances of a deployment. */
export function stableInstances(ctx: AgentContext, dep: FleetDeployment): FleetInstance[] {
  let index = instanceIndex.get(ctx.fleet.instances)
  if (!index) {
    index = new Map(ctx.fleet.instances.map((i) => [i.id, i]))
    instanceIndex.set(ctx.fleet.instances, index)
  }
  const out: FleetInstance[] = []
  for (const id of dep.stable.instanceIds) {
    const i = index.get(id)
    if (i && i.state !== 'terminated') out.push(i)
  }
  return out
}

/** Groups instances into pools of the same cloud, region, type and pricing; hourlyUsd is what is paid now. */
export function poolsOf(instances: FleetInstance[]): Pool[] {
  const pools = new Map<string, Pool>()
  for (const i of instances) {
    const key = `${i.cloud}|${i.region}|${i.instanceType}|${i.pricing}`
    const p = pools.get(key) ?? { cloud: i.cloud, region: i.region, instanceType: i.instanceType, pricing: i.pricing, count: 0, gpuType: i.gpuType, gpuCount: i.gpuCount, hourlyUsd: 0, instanceIds: [] }
    p.count += 1
    p.hourlyUsd += i.hourlyUsd
    p.instanceIds.push(i.id)
    pools.set(key, p)
  }
  return [...pools.values()].sort((a, b) => a.instanceType.localeCompare(b.instanceType) || a.pricing.localeCompare(b.pricing))
}

/** Monthly cost of pools at the prices actually paid now (hourly × 730). */
export function monthlyCostUsd(pools: Pool[]): number {
  return pools.reduce((sum, p) => sum + p.hourlyUsd, 0) * HOURS_PER_MONTH
}

/** The catalog entry of an instance type, throwing when a fleet references an unknown type (a data bug). */
export function entryOf(ctx: AgentContext, cloud: Cloud, instanceType: string): CatalogEntry {
  const e = findInstanceType(ctx.catalog, cloud, instanceType)
  if (!e) throw new Error(`instance type ${cloud}/${instanceType} is not in the catalog`)
  return e
}

/** Hourly price of one instance under a purchase option, from the live price list, else the catalog. */
export function hourlyPrice(ctx: AgentContext, cloud: Cloud, region: string, instanceType: string, pricing: Pricing): PriceResult | undefined {
  const quote = ctx.prices.find((q) => q.cloud === cloud && q.region === region && q.instanceType === instanceType)
  const entry = findInstanceType(ctx.catalog, cloud, instanceType)
  if (!entry && !quote) return undefined
  const onDemand = quote?.onDemandHourlyUsd ?? entry!.onDemandHourlyUsd
  if (pricing === 'on-demand') return { hourlyUsd: onDemand, estimate: false, source: quote ? 'price list' : 'catalog' }
  if (pricing === 'spot') {
    if (quote?.spotHourlyUsd !== undefined) return { hourlyUsd: quote.spotHourlyUsd, estimate: false, source: 'current spot price' }
    if (!entry?.spot) return undefined
    const mid = (entry.spot.discountMin + entry.spot.discountMax) / 2
    return { hourlyUsd: onDemand * (1 - mid), estimate: true, source: 'catalog spot band midpoint (no live quote)' }
  }
  // A price list's reserved rate is only as sourced as the commitment behind it: ask the catalog.
  const c = entry ? commitmentFor(entry, '1y') : undefined
  if (quote?.reserved1yHourlyUsd !== undefined) return { hourlyUsd: quote.reserved1yHourlyUsd, estimate: c?.estimate ?? false, source: `price list 1y commitment (${c?.source ?? 'provider'})` }
  if (!c) return undefined
  return { hourlyUsd: onDemand * (1 - c.discount), estimate: c.estimate, source: c.source }
}

/** Request rate of a (learned) traffic profile now and at its daily peak. */
export function rpsNow(t: TrafficProfile, now: string): number {
  return trafficRpsAt(t, new Date(now))
}
export function rpsPeak(t: TrafficProfile): number {
  return t.baseRps * (1 + t.dailyAmplitude)
}

/** What one instance of a (model, config, GPU, request shape) can do, independent of load. */
export interface InstanceFacts {
  /** Requests/s one instance sustains (0 when the model does not fit). */
  capacityRps: number
  /** p95/p99 end-to-end latency with no load: no instance count can do better. */
  floorP95Ms: number
  floorP99Ms: number
}

// These facts recur across deployments, candidate plans and validators, so they are memoized
// (bounded; the function is pure). So are whole group predictions within an analysis.
const factsMemo = new Map<string, InstanceFacts>()
const predictionMemo = new Map<string, GroupPrediction>()
const MEMO_LIMIT = 20_000

/** A request shape, with the speed its GPUs really run at where the agents learned it (server/agents/workload). */
export type Workload = TrafficProfile & { efficiency?: number }

function shapeKey(model: ModelSpec, config: EngineConfig, t: Workload): string {
  return `${model.name}|${model.paramsB}|${model.kvBytesPerToken ?? ''}|${config.quantization}|${config.kvCacheDtype}|${config.maxNumSeqs}|${config.maxNumBatchedTokens}|${config.gpuMemoryUtilization}|${config.enablePrefixCaching}|${config.tensorParallelSize}|${t.promptTokensMean}|${t.outputTokensMean}|${t.prefixShare}|${t.efficiency ?? 1}`
}

/** The request shape and GPU speed a serving-model call takes from a workload. */
function shapeOf(t: Workload): { promptTokensMean: number; outputTokensMean: number; prefixShare: number; efficiency: number } {
  return { promptTokensMean: t.promptTokensMean, outputTokensMean: t.outputTokensMean, prefixShare: t.prefixShare, efficiency: t.efficiency ?? 1 }
}

/** Forgets memoized model results (the benchmark measures cold analyses with it). */
export function clearFleetMemos(): void {
  factsMemo.clear()
  predictionMemo.clear()
}

function remember<V>(memo: Map<string, V>, key: string, value: V): V {
  // oldest first out: clearing at the limit would make a fleet larger than the memo recompute everything
  if (memo.size >= MEMO_LIMIT) memo.delete(memo.keys().next().value!)
  memo.set(key, value)
  return value
}

/** Load-independent facts of one instance: capacity and the no-load latency floor. */
export function instanceFacts(model: ModelSpec, config: EngineConfig, gpuType: string, gpuCount: number, t: Workload): InstanceFacts {
  const key = `${shapeKey(model, config, t)}|${gpuType}|${gpuCount}`
  const hit = factsMemo.get(key)
  if (hit) return hit
  const s = serve(model, config, { gpuType, gpusPerInstance: gpuCount, instances: 1, rps: 0, ...shapeOf(t) })
  return remember(factsMemo, key, s.fits
    ? { capacityRps: s.maxRpsCapacity, floorP95Ms: s.e2eMs.p95, floorP99Ms: s.e2eMs.p99 }
    : { capacityRps: 0, floorP95Ms: Number.POSITIVE_INFINITY, floorP99Ms: Number.POSITIVE_INFINITY })
}

/** Requests/s one instance sustains for a model, config, GPU and request shape (0 when it does not fit). */
export function capacityPerInstance(model: ModelSpec, config: EngineConfig, gpuType: string, gpuCount: number, t: Workload): number {
  return instanceFacts(model, config, gpuType, gpuCount, t).capacityRps
}

const UNSERVED: Omit<GroupPrediction, 'warnings'> = {
  fits: false, p50Ms: Number.POSITIVE_INFINITY, p95Ms: Number.POSITIVE_INFINITY, p99Ms: Number.POSITIVE_INFINITY, ttftP95Ms: Number.POSITIVE_INFINITY,
  itlP50Ms: Number.POSITIVE_INFINITY, queueP95Ms: Number.POSITIVE_INFINITY, errorRate: 1, saturation: Number.POSITIVE_INFINITY,
  capacityRps: 0, kvCacheUsage: 0, preemptionsPerSec: 0,
}

/**
 * Serving-model prediction for `rps` spread over pools in proportion to their capacity (the
 * router balances load); latencies are the worst pool's, rates are summed.
 */
export function predictGroup(model: ModelSpec, config: EngineConfig, pools: PoolShape[], rps: number, t: Workload): GroupPrediction {
  const key = `${shapeKey(model, config, t)}|${pools.map((p) => `${p.gpuType}:${p.gpuCount}:${p.count}`).join(',')}|${rps}`
  const hit = predictionMemo.get(key)
  if (hit) return { ...hit, warnings: [...hit.warnings] }
  return remember(predictionMemo, key, computePrediction(model, config, pools, rps, t))
}

function computePrediction(model: ModelSpec, config: EngineConfig, pools: PoolShape[], rps: number, t: Workload): GroupPrediction {
  const caps = pools.map((p) => capacityPerInstance(model, config, p.gpuType, p.gpuCount, t) * p.count)
  const total = caps.reduce((a, b) => a + b, 0)
  if (total <= 0) return { ...UNSERVED, warnings: [`${model.name} does not fit on ${pools.map((p) => p.gpuType).join('/')} with this config`] }
  const out: GroupPrediction = { ...UNSERVED, fits: true, p50Ms: 0, p95Ms: 0, p99Ms: 0, ttftP95Ms: 0, itlP50Ms: 0, queueP95Ms: 0, errorRate: 0, saturation: rps / total, capacityRps: total, warnings: [] }
  pools.forEach((p, i) => {
    const share = rps * (caps[i]! / total)
    if (caps[i] === 0 || p.count === 0) return
    const s = serve(model, config, { gpuType: p.gpuType, gpusPerInstance: p.gpuCount, instances: p.count, rps: share, ...shapeOf(t) })
    out.p50Ms = Math.max(out.p50Ms, s.e2eMs.p50)
    out.p95Ms = Math.max(out.p95Ms, s.e2eMs.p95)
    out.p99Ms = Math.max(out.p99Ms, s.e2eMs.p99)
    out.ttftP95Ms = Math.max(out.ttftP95Ms, s.ttftMs.p95)
    out.itlP50Ms = Math.max(out.itlP50Ms, s.itlMs.p50)
    out.queueP95Ms = Math.max(out.queueP95Ms, s.queueMs.p95)
    out.errorRate += rps > 0 ? s.errorRate * (share / rps) : 0
    out.kvCacheUsage = Math.max(out.kvCacheUsage, s.kvCacheUsage)
    out.preemptionsPerSec += s.preemptionsPerSec
    out.warnings.push(...s.warnings)
  })
  return out
}

/** A latency/error budget: the SLO, relaxed to "no worse than today" where today already misses it. */
export interface Budget { p95Ms: number; p99Ms: number; maxErrorRate: number }

/** Tolerance for "no worse than today" (model noise). */
export const NO_REGRESSION_TOLERANCE = 1.05

/**
 * The budget a changed deployment must meet at peak, in latencies as telemetry reports them
 * (server/agents/reported.ts); `calibration` carries today's measured-over-modelled ratio.
 */
export function latencyBudget(slo: Slo, current: GroupPrediction, calibration = 1): Budget {
  const today = (q: number) => (current.fits ? q * calibration * NO_REGRESSION_TOLERANCE : 0)
  return {
    p95Ms: Math.max(slo.p95Ms, today(reportedP95(current))),
    p99Ms: Math.max(slo.p99Ms, today(reportedP99(current))),
    maxErrorRate: Math.max(slo.maxErrorRate, current.fits ? current.errorRate * NO_REGRESSION_TOLERANCE : 0),
  }
}

/**
 * Whether a prediction meets a budget, as the canary's SLO rules will read it: the p95 and p99
 * Prometheus reports over vLLM's buckets, not the model's exact ones.
 */
export function meetsBudget(p: GroupPrediction, b: Budget): boolean {
  return p.fits && reportedP95(p) <= b.p95Ms && reportedP99(p) <= b.p99Ms && p.errorRate <= b.maxErrorRate
}

/** Highest saturation a plan may run at its daily peak (headroom for bursts, as Kubecost's 0.8 target). */
export const TARGET_PEAK_SATURATION = 0.8

/**
 * Fewest instances of one type that serve `rps` within the budget at ≤ TARGET_PEAK_SATURATION:
 * start from the capacity estimate and grow while latency still misses (queueing), stopping when
 * more instances cannot help (latency floor of a slow GPU).
 */
export function instancesNeeded(model: ModelSpec, config: EngineConfig, gpuType: string, gpuCount: number, rps: number, t: Workload, budget: Budget, minCount = 1): { count: number; prediction: GroupPrediction } | null {
  const facts = instanceFacts(model, config, gpuType, gpuCount, t)
  const cap = facts.capacityRps
  // No number of instances beats the no-load latency: slow GPUs are ruled out without a search.
  if (cap <= 0 || facts.floorP95Ms > budget.p95Ms || facts.floorP99Ms > budget.p99Ms) return null
  let count = Math.max(minCount, Math.ceil(rps / (cap * TARGET_PEAK_SATURATION)))
  for (let attempt = 0; attempt < 4; attempt++) {
    const prediction = predictGroup(model, config, [{ gpuType, gpuCount, count }], rps, t)
    if (meetsBudget(prediction, budget)) return { count, prediction }
    if (prediction.saturation < 0.3) return null
    count += Math.max(1, Math.ceil(count * 0.25))
  }
  return null
}

/**
 * Fewest instances a changed group may keep: a group that has redundancy today keeps two
 * (one failure must not stop serving), a single instance stays single.
 */
export function availabilityFloor(pools: { count: number }[]): number {
  return Math.min(2, pools.reduce((s, p) => s + p.count, 0))
}

/** Shapes of pools for the serving model. */
export function shapesOf(pools: Pick<Pool, 'gpuType' | 'gpuCount' | 'count'>[]): PoolShape[] {
  return pools.map((p) => ({ gpuType: p.gpuType, gpuCount: p.gpuCount, count: p.count }))
}
