/**
 * Resource rules: consolidate replicas the load does not need, scale out when queue depth or KV
 * pressure say the group is short. Load is judged by saturation (rps ÷ capacity), queue depth and
 * KV usage — never by GPU utilization alone, which sits near 100% whenever anything runs (peers §4.2).
 */
import type { PoolSpec } from '../../cloud/provider.ts'
import { HOURS_PER_MONTH, availabilityFloor, instancesNeeded, latencyBudget, predictGroup, TARGET_PEAK_SATURATION, type Budget, type GroupPrediction } from '../fleet.ts'
import { type DeploymentState } from '../state.ts'
import { KV_PRESSURE_THRESHOLD, QUEUE_DEPTH_THRESHOLD } from '../performance/rules.ts'
import { countOf } from '../../desired/spec.ts'
import { atPeak, fewestInPools, growPools, monthlyAfter, oneInstanceType, shapesAfter, type Cut } from './pools.ts'

/** Saturation at peak above which the group is short of capacity (headroom for bursts is gone). */
export const SCALE_OUT_SATURATION = 0.9

/** A change of replica count for a group of one instance type (one pool, or an on-demand floor beside spot). */
export interface ReplicaChange {
  from: number
  to: number
  /** The group's pools after the change. */
  pools: PoolSpec[]
  /** Average price paid per instance now. */
  hourlyUsd: number
  monthlyDeltaUsd: number
  signals: string[]
  peakBefore: GroupPrediction
  peakAfter: GroupPrediction
  nowAfter: GroupPrediction
}

/** Observed saturation: measured throughput over the model's capacity for the group. */
export function observedSaturation(state: DeploymentState): number | null {
  const rps = state.observed?.throughputRps ?? null
  return rps === null || !(state.now.capacityRps > 0) ? null : rps / state.now.capacityRps
}

/** Signs the group is short of capacity, from telemetry when present and the model at peak. */
export function pressureSignals(state: DeploymentState): string[] {
  const queue = state.observed?.queueDepth ?? null
  const kv = state.observed?.kvCacheUsage ?? null
  const preempt = state.observed?.preemptionsPerSec ?? 0
  const out: string[] = []
  if (queue !== null && queue > QUEUE_DEPTH_THRESHOLD) out.push(`observed queue depth ${queue.toFixed(1)} > ${QUEUE_DEPTH_THRESHOLD}`)
  if (kv !== null && kv >= 0.9 && preempt > 0) out.push(`observed KV usage ${kv.toFixed(2)} with preemptions`)
  if (state.peak.saturation > SCALE_OUT_SATURATION) out.push(`peak saturation ${state.peak.saturation.toFixed(2)} > ${SCALE_OUT_SATURATION}`)
  return out
}

function change(state: DeploymentState, after: PoolSpec[], signals: string[]): ReplicaChange {
  const { pools, deployment: d } = state
  const from = countOf(pools)
  return {
    from, to: countOf(after), pools: after, hourlyUsd: state.monthlyCostUsd / HOURS_PER_MONTH / from,
    monthlyDeltaUsd: monthlyAfter(pools, after) - state.monthlyCostUsd, signals,
    peakBefore: state.peak,
    peakAfter: atPeak(state, after),
    nowAfter: predictGroup(d.model, d.stable.config, shapesAfter(pools, after), state.rpsNow, state.traffic),
  }
}

/**
 * The group cut to the instances its daily peak needs within the SLO at ≤ 80% saturation, keeping
 * two where there is redundancy today; null when none can go. One pool is sized with the capacity
 * estimate, several pools (an on-demand floor beside spot, spot over two types) one instance at a
 * time, dearest first (pools.ts). The cost agent's bar for a type or cloud change too.
 */
export function consolidated(state: DeploymentState): Cut | null {
  const [pool, ...rest] = state.pools
  if (!pool) return null
  const d = state.deployment
  const budget = latencyBudget(d.slo, state.peak)
  if (rest.length > 0) return fewestInPools(state, budget, availabilityFloor(state.pools))
  const need = instancesNeeded(d.model, d.stable.config, pool.gpuType, pool.gpuCount, state.rpsPeak, state.traffic, budget, availabilityFloor(state.pools))
  if (!need || need.count >= pool.count) return null
  return { pools: [{ cloud: pool.cloud, region: pool.region, instanceType: pool.instanceType, pricing: pool.pricing, count: need.count }], count: need.count, prediction: need.prediction }
}

/**
 * Consolidation: fewer instances still serve the daily peak (`consolidated`). Refused when
 * telemetry shows queueing or KV pressure the model does not (the model would be wrong about this group).
 */
export function consolidation(state: DeploymentState): ReplicaChange | null {
  if (pressureSignals(state).length > 0 || (state.observed?.kvCacheUsage ?? 0) >= KV_PRESSURE_THRESHOLD) return null
  const target = consolidated(state)
  if (!target) return null
  const count = countOf(state.pools)
  const observedSat = observedSaturation(state)
  const signals = [
    `peak saturation ${state.peak.saturation.toFixed(2)} on ${count} instances (model${observedSat === null ? '' : `; observed now ${observedSat.toFixed(2)}`})`,
    `${target.count} instance(s) carry the peak at ${target.prediction.saturation.toFixed(2)} ≤ ${TARGET_PEAK_SATURATION}`,
  ]
  const gpu = state.observed?.gpuUtilization ?? null
  if (gpu !== null) signals.push(`GPU utilization ${gpu.toFixed(2)} (not used for the decision)`)
  return change(state, target.pools, signals)
}

/**
 * Scale out: enough instances of the same type to bring peak saturation and latency back within
 * the SLO (or, where no count meets the SLO, within today's latency); a latency-critical
 * deployment's on-demand pool takes them where it has one. A group spread over several instance
 * types is not scaled out yet: tried, its proposal's count moved with every analysis, and each
 * move restarted its validation and quality probes.
 */
export function scaleOut(state: DeploymentState): ReplicaChange | null {
  const pool = state.pools[0]
  const signals = pressureSignals(state)
  if (!pool || !oneInstanceType(state.pools) || signals.length === 0) return null
  const d = state.deployment
  const more = countOf(state.pools) + 1
  const needed = (b: Budget) => instancesNeeded(d.model, d.stable.config, pool.gpuType, pool.gpuCount, state.rpsPeak, state.traffic, b, more)
  // today's latency is the bar only where no count meets the SLO
  const need = needed({ p95Ms: d.slo.p95Ms, p99Ms: d.slo.p99Ms, maxErrorRate: d.slo.maxErrorRate }) ?? needed(latencyBudget(d.slo, state.peak))
  return need ? change(state, growPools(state.pools, need.count, d.latencyCritical), signals) : null
}
