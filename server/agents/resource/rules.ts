/**
 * Resource rules: consolidate replicas the load does not need, scale out when queue depth or KV
 * pressure say the group is short. Load is judged by saturation (rps ÷ capacity), queue depth and
 * KV usage — never by GPU utilization alone, which sits near 100% whenever anything runs (peers §4.2).
 */
import { HOURS_PER_MONTH } from '../../cloud/catalog/catalog.ts'
import { availabilityFloor, instancesNeeded, latencyBudget, predictGroup, TARGET_PEAK_SATURATION, type GroupPrediction } from '../fleet.ts'
import { type DeploymentState } from '../state.ts'
import { KV_PRESSURE_THRESHOLD, QUEUE_DEPTH_THRESHOLD } from '../performance/rules.ts'

/** Saturation at peak above which the group is short of capacity (headroom for bursts is gone). */
export const SCALE_OUT_SATURATION = 0.9

/** A change of replica count for a single-pool group. */
export interface ReplicaChange {
  from: number
  to: number
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

function change(state: DeploymentState, to: number, signals: string[]): ReplicaChange {
  const pool = state.pools[0]!
  const d = state.deployment
  const hourly = pool.hourlyUsd / pool.count
  const shape = [{ gpuType: pool.gpuType, gpuCount: pool.gpuCount, count: to }]
  return {
    from: pool.count, to, hourlyUsd: hourly, monthlyDeltaUsd: (to - pool.count) * hourly * HOURS_PER_MONTH, signals,
    peakBefore: state.peak,
    peakAfter: predictGroup(d.model, d.stable.config, shape, state.rpsPeak, state.traffic),
    nowAfter: predictGroup(d.model, d.stable.config, shape, state.rpsNow, state.traffic),
  }
}

/**
 * Consolidation: fewer instances of the same type still serve the daily peak within the SLO at
 * ≤ 80% saturation, keeping two where there is redundancy today. Refused when telemetry shows
 * queueing or KV pressure the model does not (the model would be wrong about this group).
 */
export function consolidation(state: DeploymentState): ReplicaChange | null {
  const [pool, ...rest] = state.pools
  if (!pool || rest.length > 0 || pressureSignals(state).length > 0) return null
  if ((state.observed?.kvCacheUsage ?? 0) >= KV_PRESSURE_THRESHOLD) return null
  const d = state.deployment
  const need = instancesNeeded(d.model, d.stable.config, pool.gpuType, pool.gpuCount, state.rpsPeak, state.traffic, latencyBudget(d.slo, state.peak), availabilityFloor(state.pools))
  if (!need || need.count >= pool.count) return null
  const observedSat = observedSaturation(state)
  const signals = [
    `peak saturation ${state.peak.saturation.toFixed(2)} on ${pool.count} instances (model${observedSat === null ? '' : `; observed now ${observedSat.toFixed(2)}`})`,
    `${need.count} instance(s) carry the peak at ${need.prediction.saturation.toFixed(2)} ≤ ${TARGET_PEAK_SATURATION}`,
  ]
  const gpu = state.observed?.gpuUtilization ?? null
  if (gpu !== null) signals.push(`GPU utilization ${gpu.toFixed(2)} (not used for the decision)`)
  return change(state, need.count, signals)
}

/** Scale out: enough instances of the same type to bring peak saturation and latency back within the SLO. */
export function scaleOut(state: DeploymentState): ReplicaChange | null {
  const [pool, ...rest] = state.pools
  const signals = pressureSignals(state)
  if (!pool || rest.length > 0 || signals.length === 0) return null
  const d = state.deployment
  const budget = { p95Ms: d.slo.p95Ms, p99Ms: d.slo.p99Ms, maxErrorRate: d.slo.maxErrorRate }
  const need = instancesNeeded(d.model, d.stable.config, pool.gpuType, pool.gpuCount, state.rpsPeak, state.traffic, budget, pool.count + 1)
    ?? instancesNeeded(d.model, d.stable.config, pool.gpuType, pool.gpuCount, state.rpsPeak, state.traffic, latencyBudget(d.slo, state.peak), pool.count + 1)
  if (!need) return null
  return change(state, need.count, signals)
}
