/**
 * The serving model of the fleet twin: given a model, vLLM engine knobs and the load on a
 * group of identical GPU instances, what latency, throughput, KV pressure and errors would
 * vLLM show? A documented roofline + M/M/c model (docs/simulator.md); pure and I/O-free.
 */
import { planReplica, type ReplicaPlan } from './engine.ts'
import { capacityPerMs, type Workload } from './replica.ts'
import { replicaStats, type ReplicaStats } from './stats.ts'
import { gpuSpec } from '../catalog/catalog.ts'

/** The served model: size drives memory and speed, family drives quantization sensitivity. */
export interface ModelSpec {
  name: string
  family: 'llama' | 'mistral' | 'qwen' | 'gemma' | 'other'
  paramsB: number
  contextLen: number
  /** 16-bit KV-cache bytes per token; estimated from paramsB when absent (see engine.ts). */
  kvBytesPerToken?: number
}

/** The vLLM knobs the agents tune (peers §4.1). */
export interface EngineConfig {
  quantization: 'none' | 'fp8' | 'int8' | 'int4'
  kvCacheDtype: 'auto' | 'fp8'
  maxNumSeqs: number
  maxNumBatchedTokens: number
  gpuMemoryUtilization: number
  enablePrefixCaching: boolean
  tensorParallelSize: number
}

/** A deployment's daily traffic pattern and request shape. */
export interface TrafficProfile {
  baseRps: number
  /** 0..1: peak is baseRps·(1+a), trough baseRps·(1-a). */
  dailyAmplitude: number
  peakHourUtc: number
  promptTokensMean: number
  outputTokensMean: number
  /** 0..1 share of prompt tokens that are a shared prefix (system prompt, few-shot). */
  prefixShare: number
}

/** The load on a group of identical instances at one instant. */
export interface GroupLoad {
  gpuType: string
  gpusPerInstance: number
  instances: number
  rps: number
  /** Request shape; defaults in DEFAULT_REQUEST_SHAPE. */
  promptTokensMean?: number
  outputTokensMean?: number
  prefixShare?: number
  /**
   * Speed of these GPUs relative to the roofline's spec-sheet figures (1 when absent): drivers,
   * kernels, clocks and noisy neighbours make real fleets differ. The twin's hidden truth; the
   * agents' calibration knob (server/agents/workload).
   */
  efficiency?: number
}

/** p50/p95/p99 of a latency, in milliseconds. */
export interface Percentiles {
  p50: number
  p95: number
  p99: number
}

/** What vLLM and DCGM would report for the group (rates are group totals, latencies per request). */
export interface ServingStats {
  fits: boolean
  maxRpsCapacity: number
  ttftMs: Percentiles
  itlMs: Percentiles
  e2eMs: Percentiles
  queueMs: Percentiles
  throughputRps: number
  generationTokensPerSec: number
  errorRate: number
  kvCacheUsage: number
  preemptionsPerSec: number
  /** DCGM-style busy fraction: share of time a replica has any request in flight. */
  gpuUtilization: number
  requestsRunning: number
  requestsWaiting: number
  prefixCacheHitRate: number
  /** rps / maxRpsCapacity: the load signal agents should scale on (not gpuUtilization); Infinity when nothing can serve. */
  saturation: number
  replicas: number
  kvCacheTokensPerReplica: number
  effectiveQuantization: EngineConfig['quantization']
  /** Why it does not fit, fall-backs taken (e.g. FP8 on Ampere), and other caveats. */
  warnings: string[]
}

/** vLLM V1 defaults for GPUs under 70 GiB and for A100 (peers §4.1): 256 seqs, 2048-token budget. */
export const defaultEngineConfig: EngineConfig = {
  quantization: 'none',
  kvCacheDtype: 'auto',
  maxNumSeqs: 256,
  maxNumBatchedTokens: 2048,
  gpuMemoryUtilization: 0.9,
  enablePrefixCaching: true,
  tensorParallelSize: 1,
}

/** Request shape used when a GroupLoad does not give one: a chat turn with a modest system prompt. */
export const DEFAULT_REQUEST_SHAPE = { promptTokensMean: 512, outputTokensMean: 256, prefixShare: 0 } as const

/** Share of shared-prefix tokens actually served from cache (evictions, first requests per replica). */
export const PREFIX_HIT_EFFICIENCY = 0.95

/** vLLM's defaults depend on the GPU: ≥ 70 GiB and not A100 → 1024 seqs and an 8192-token budget. */
export function vllmDefaultsFor(gpuType: string): EngineConfig {
  const gpu = gpuSpec(gpuType)
  const big = gpu.memoryGiB >= 70 && gpu.architecture !== 'ampere'
  return big ? { ...defaultEngineConfig, maxNumSeqs: 1024, maxNumBatchedTokens: 8192 } : { ...defaultEngineConfig }
}

/** Request rate at an instant: a 24-hour cosine around baseRps peaking at peakHourUtc. */
export function trafficRpsAt(t: TrafficProfile, at: Date): number {
  const hour = (at.getTime() % 86_400_000) / 3_600_000
  const phase = (2 * Math.PI * (hour - t.peakHourUtc)) / 24
  return Math.max(0, t.baseRps * (1 + t.dailyAmplitude * Math.cos(phase)))
}

/** The GroupLoad a traffic profile puts on a group at an instant (`share` = its traffic weight). */
export function loadFromTraffic(t: TrafficProfile, at: Date, group: Pick<GroupLoad, 'gpuType' | 'gpusPerInstance' | 'instances'>, share = 1): GroupLoad {
  return {
    ...group,
    rps: trafficRpsAt(t, at) * share,
    promptTokensMean: t.promptTokensMean,
    outputTokensMean: t.outputTokensMean,
    prefixShare: t.prefixShare,
  }
}

function workloadFor(plan: ReplicaPlan, config: EngineConfig, load: GroupLoad): Workload {
  const prompt = Math.max(1, load.promptTokensMean ?? DEFAULT_REQUEST_SHAPE.promptTokensMean)
  const output = Math.max(1, load.outputTokensMean ?? DEFAULT_REQUEST_SHAPE.outputTokensMean)
  const hit = config.enablePrefixCaching ? (load.prefixShare ?? DEFAULT_REQUEST_SHAPE.prefixShare) * PREFIX_HIT_EFFICIENCY : 0
  const prefill = prompt * (1 - hit)
  const kvTokensPerSeq = prefill + output / 2
  const sharedKvTokens = prompt * hit
  const kvSeqs = Math.floor((plan.kvCapacityTokens - sharedKvTokens) / kvTokensPerSeq)
  const batchCap = Math.max(1, Math.min(config.maxNumSeqs, kvSeqs, config.maxNumBatchedTokens))
  return {
    promptTokens: prompt, prefillTokens: prefill, outputTokens: output, contextTokens: prompt + output / 2,
    kvTokensPerSeq, sharedKvTokens, batchCap, tokenBudget: config.maxNumBatchedTokens,
  }
}

const ZERO: Percentiles = { p50: 0, p95: 0, p99: 0 }

function unservedStats(load: GroupLoad, plan: ReplicaPlan, replicas: number): ServingStats {
  const warnings = plan.reason === undefined ? [...plan.warnings] : [plan.reason, ...plan.warnings]
  if (plan.fits && replicas === 0) warnings.push('no replicas: group has no instances')
  return {
    fits: plan.fits, maxRpsCapacity: 0, ttftMs: ZERO, itlMs: ZERO, e2eMs: ZERO, queueMs: ZERO,
    throughputRps: 0, generationTokensPerSec: 0, errorRate: !plan.fits || load.rps > 0 ? 1 : 0,
    kvCacheUsage: 0, preemptionsPerSec: 0, gpuUtilization: 0, requestsRunning: 0, requestsWaiting: 0,
    prefixCacheHitRate: 0, saturation: load.rps > 0 ? Number.POSITIVE_INFINITY : 0, replicas,
    kvCacheTokensPerReplica: plan.fits ? plan.kvCapacityTokens : 0, effectiveQuantization: plan.effectiveQuantization, warnings,
  }
}

function groupStats(r: ReplicaStats, replicas: number, w: Workload, capacityRps: number, plan: ReplicaPlan, rps: number): ServingStats {
  const throughputRps = rps * (1 - r.errorRate)
  return {
    fits: true, maxRpsCapacity: capacityRps, ttftMs: r.ttftMs, itlMs: r.itlMs, e2eMs: r.e2eMs, queueMs: r.queueMs,
    throughputRps, generationTokensPerSec: throughputRps * w.outputTokens, errorRate: r.errorRate,
    kvCacheUsage: r.kvCacheUsage, preemptionsPerSec: r.preemptionsPerMs * 1000 * replicas,
    gpuUtilization: r.gpuUtilization, requestsRunning: r.running * replicas, requestsWaiting: r.waiting * replicas,
    prefixCacheHitRate: w.promptTokens > 0 ? 1 - w.prefillTokens / w.promptTokens : 0,
    saturation: capacityRps > 0 ? rps / capacityRps : Number.POSITIVE_INFINITY, replicas,
    kvCacheTokensPerReplica: plan.kvCapacityTokens, effectiveQuantization: plan.effectiveQuantization, warnings: r.warnings,
  }
}

/** A replica plan whose HBM streaming and matmul run `efficiency` times as fast as the spec sheet says. */
function atEfficiency(plan: ReplicaPlan, efficiency: number): ReplicaPlan {
  if (efficiency === 1 || !(efficiency > 0)) return plan
  return { ...plan, bytesPerMs: plan.bytesPerMs * efficiency, msPerToken: plan.msPerToken / efficiency }
}

/** Steady-state vLLM behaviour of `load.instances` instances serving `model` with `config`. */
export function serve(model: ModelSpec, config: EngineConfig, load: GroupLoad): ServingStats {
  const plan = atEfficiency(planReplica(model, config, load.gpuType, load.gpusPerInstance), load.efficiency ?? 1)
  const replicas = Math.max(0, Math.floor(load.instances)) * plan.replicasPerInstance
  if (!plan.fits || replicas === 0) return unservedStats(load, plan, replicas)
  const w = workloadFor(plan, config, load)
  const mu = capacityPerMs(plan, w)
  if (mu <= 0) return unservedStats(load, { ...plan, warnings: [...plan.warnings, 'no sustainable request rate'] }, replicas)
  const r = replicaStats(plan, w, mu, Math.max(0, load.rps) / replicas / 1000)
  if (w.promptTokens + w.outputTokens > model.contextLen) r.warnings.push('mean request longer than contextLen')
  return groupStats(r, replicas, w, mu * 1000 * replicas, plan, Math.max(0, load.rps))
}

