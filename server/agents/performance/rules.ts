/**
 * Performance rules (peers §4.1–4.2): FP8 weights where the GPU has FP8 tensor cores, KV-cache
 * knobs (FP8 KV, prefix caching, gpu_memory_utilization) under KV pressure, and batching knobs
 * when telemetry or the model shows queueing, preemptions or slow first tokens. Every candidate
 * is scored with the serving model; pure.
 */
import { gpuSpec } from '../../cloud/catalog/catalog.ts'
import { accuracy } from '../../cloud/model/quality.ts'
import type { EngineConfig } from '../../cloud/model/serving.ts'
import { predictGroup, shapesOf, type GroupPrediction } from '../fleet.ts'
import { type DeploymentState } from '../state.ts'

/** vLLM production-stack scales out at more than 5 waiting requests (peers §4.3); we tune batching there too. */
export const QUEUE_DEPTH_THRESHOLD = 5
/** KV usage from which vLLM starts preempting (stats.ts onset) minus headroom. */
export const KV_PRESSURE_THRESHOLD = 0.8
/** A knob change must buy at least this much p95 latency or capacity to be worth a rollout. */
export const MIN_IMPROVEMENT = 0.05
/** Families whose FP8 KV cache is known to hold quality with calibrated scales (peers §5.2); MLA/unknown ones are skipped. */
export const FP8_KV_TOLERANT_FAMILIES: ReadonlySet<string> = new Set(['llama', 'mistral', 'qwen', 'gemma'])

/** A proposed engine-config change and what the serving model predicts for it. */
export interface KnobChange {
  config: EngineConfig
  changes: Record<string, { from: unknown; to: unknown }>
  triggers: string[]
  beforePeak: GroupPrediction
  afterPeak: GroupPrediction
  afterNow: GroupPrediction
  qualityDelta: number
}

function diff(a: EngineConfig, b: EngineConfig): KnobChange['changes'] {
  const out: KnobChange['changes'] = {}
  for (const k of Object.keys(b) as (keyof EngineConfig)[]) if (a[k] !== b[k]) out[k] = { from: a[k], to: b[k] }
  return out
}

function predict(state: DeploymentState, config: EngineConfig, rps: number): GroupPrediction {
  const d = state.deployment
  return predictGroup(d.model, config, shapesOf(state.pools), rps, state.traffic)
}

/** Quality change of a config on the group's (first) GPU, from the quality model. */
export function qualityDelta(state: DeploymentState, config: EngineConfig): number {
  const d = state.deployment
  const gpuType = state.pools[0]!.gpuType
  return accuracy(d.model, config, { gpuType }) - accuracy(d.model, d.stable.config, { gpuType })
}

/** Whether `after` is a real improvement over `before`: faster p95 or more capacity, never more errors. */
export function improves(before: GroupPrediction, after: GroupPrediction): boolean {
  if (!after.fits || after.errorRate > before.errorRate * 1.05 + 1e-6) return false
  const faster = after.p95Ms <= before.p95Ms * (1 - MIN_IMPROVEMENT)
  const roomier = after.capacityRps >= before.capacityRps * (1 + MIN_IMPROVEMENT) && after.p95Ms <= before.p95Ms * 1.02
  return faster || roomier
}

function change(state: DeploymentState, config: EngineConfig, triggers: string[]): KnobChange {
  return {
    config, changes: diff(state.deployment.stable.config, config), triggers,
    beforePeak: state.peak, afterPeak: predict(state, config, state.rpsPeak), afterNow: predict(state, config, state.rpsNow),
    qualityDelta: qualityDelta(state, config),
  }
}

/** FP8 W8A8 weights: only on GPUs with FP8 tensor cores (Ada/Hopper/Blackwell); Ampere would fall back. */
export function fp8WeightsChange(state: DeploymentState): KnobChange | null {
  const config = state.deployment.stable.config
  if (config.quantization !== 'none' || !state.pools.every((p) => gpuSpec(p.gpuType).fp8)) return null
  const c = change(state, { ...config, quantization: 'fp8' }, [`${state.pools.map((p) => p.gpuType).join('/')} supports FP8 W8A8`])
  return improves(c.beforePeak, c.afterPeak) ? c : null
}

/** Whether the group is short of KV cache, by telemetry when present, else by the model at peak. */
export function kvPressure(state: DeploymentState): string[] {
  const kv = state.observed?.kvCacheUsage ?? null
  const preempt = state.observed?.preemptionsPerSec ?? null
  const out: string[] = []
  if (kv !== null && kv >= KV_PRESSURE_THRESHOLD) out.push(`observed KV-cache usage ${kv.toFixed(2)}`)
  if (preempt !== null && preempt > 0) out.push(`observed ${preempt.toFixed(3)} preemptions/s`)
  if (kv === null && state.peak.kvCacheUsage >= KV_PRESSURE_THRESHOLD) out.push(`model KV-cache usage ${state.peak.kvCacheUsage.toFixed(2)} at peak`)
  if (preempt === null && state.peak.preemptionsPerSec > 0) out.push(`model ${state.peak.preemptionsPerSec.toFixed(3)} preemptions/s at peak`)
  return out
}

/** KV-cache tuning: prefix caching for shared prefixes; FP8 KV and more memory under KV pressure. */
export function kvCacheChange(state: DeploymentState): KnobChange | null {
  const d = state.deployment
  const config = { ...d.stable.config }
  const triggers: string[] = []
  if (!config.enablePrefixCaching && state.traffic.prefixShare > 0.05) {
    config.enablePrefixCaching = true
    triggers.push(`${Math.round(state.traffic.prefixShare * 100)}% of prompt tokens are a shared prefix`)
  }
  const pressure = kvPressure(state)
  if (pressure.length > 0) {
    if (config.kvCacheDtype === 'auto' && FP8_KV_TOLERANT_FAMILIES.has(d.model.family)) config.kvCacheDtype = 'fp8'
    if (config.gpuMemoryUtilization < 0.9) config.gpuMemoryUtilization = 0.9
    triggers.push(...pressure)
  }
  if (triggers.length === 0) return null
  const c = change(state, config, triggers)
  if (Object.keys(c.changes).length === 0) return null
  const relieved = c.afterPeak.kvCacheUsage < state.peak.kvCacheUsage * 0.9 || c.afterPeak.preemptionsPerSec < state.peak.preemptionsPerSec
  return improves(c.beforePeak, c.afterPeak) || (pressure.length > 0 && relieved && c.afterPeak.p95Ms <= c.beforePeak.p95Ms * 1.02) ? c : null
}

/** What the observations say about batching: queueing, preemptions, slow first tokens. */
export function batchingTriggers(state: DeploymentState): string[] {
  const queue = state.observed?.queueDepth ?? null
  const preempt = state.observed?.preemptionsPerSec ?? null
  const out: string[] = []
  if (queue !== null && queue > QUEUE_DEPTH_THRESHOLD) out.push(`observed queue depth ${queue.toFixed(1)} > ${QUEUE_DEPTH_THRESHOLD}`)
  if (preempt !== null && preempt > 0) out.push(`observed ${preempt.toFixed(3)} preemptions/s`)
  const p = state.peak
  if (p.fits && p.queueP95Ms > 0.1 * p.p95Ms) out.push(`queue time p95 ${Math.round(p.queueP95Ms)} ms is ${Math.round((100 * p.queueP95Ms) / p.p95Ms)}% of p95 at peak`)
  if (p.fits && p.ttftP95Ms > 0.25 * p.p95Ms) out.push(`TTFT p95 ${Math.round(p.ttftP95Ms)} ms dominates p95 at peak`)
  if (p.fits && p.preemptionsPerSec > 0) out.push(`model ${p.preemptionsPerSec.toFixed(3)} preemptions/s at peak`)
  return out
}

/** Batching tuning: the best of a small grid around the current max_num_seqs / max_num_batched_tokens. */
export function batchingChange(state: DeploymentState): KnobChange | null {
  const triggers = batchingTriggers(state)
  if (triggers.length === 0) return null
  const cur = state.deployment.stable.config
  const seqs = [...new Set([Math.max(32, cur.maxNumSeqs / 2), cur.maxNumSeqs, Math.min(2048, cur.maxNumSeqs * 2)])]
  const tokens = [2048, 4096, 8192, 16384]
  let best: { config: EngineConfig; p: GroupPrediction } | null = null
  for (const s of seqs) {
    for (const t of tokens) {
      if (t < s || (s === cur.maxNumSeqs && t === cur.maxNumBatchedTokens)) continue
      const config = { ...cur, maxNumSeqs: s, maxNumBatchedTokens: t }
      const p = predict(state, config, state.rpsPeak)
      if (p.fits && (!best || p.p95Ms < best.p.p95Ms)) best = { config, p }
    }
  }
  if (!best) return null
  const c = change(state, best.config, triggers)
  return improves(c.beforePeak, c.afterPeak) ? c : null
}
