/**
 * The engine a discovered deployment runs, from what its vLLM servers report about themselves.
 * vLLM exports its cache configuration as `vllm:cache_config_info`: a gauge of 1 whose labels are
 * the flags, a label set that varies by version (read what is there, ignore the rest). The flags it
 * names (KV-cache dtype, prefix caching, GPU memory share) are taken as reported; weight
 * quantization comes from the checkpoint's name; the tensor-parallel size, which vLLM does not
 * export, is the one at which a replica's KV capacity comes nearest the capacity vLLM reports
 * (the weights a shard holds decide how much memory is left for KV). What is not reported stays
 * vLLM's default, and the inventory says which is which. Pure.
 */
import { fittingPlans, smallestFittingTp } from '../cloud/model/defaults.ts'
import { quantizationOf } from '../cloud/model/match.ts'
import { vllmDefaultsFor, type EngineConfig, type ModelSpec } from '../cloud/model/serving.ts'
import type { QueryShape, VectorSample } from './promql.ts'

/** The instant query that reads every vLLM server's cache configuration. */
export const ENGINE_QUERY = 'vllm:cache_config_info'

/** What a deployment's stable servers report; null where no server reports the flag. */
export interface ObservedEngine {
  kv_cache_dtype: EngineConfig['kvCacheDtype'] | null
  prefix_caching: boolean | null
  gpu_memory_utilization: number | null
  /** One replica's KV capacity in tokens. */
  kv_cache_tokens: number | null
  servers: number
}

/** The engine flags the agents take from a deployment's own report rather than from vLLM's defaults. */
export type ReportedFlag = 'kv_cache_dtype' | 'prefix_caching' | 'gpu_memory_utilization' | 'tensor_parallel_size' | 'quantization'

/** The engine the agents judge a discovered deployment with, and which of its flags the fleet reported. */
export interface JudgedEngine { config: EngineConfig; reported: ReportedFlag[] }

const dtypeOf = (v: string | undefined): EngineConfig['kvCacheDtype'] | null =>
  v === undefined ? null : v.toLowerCase().startsWith('fp8') ? 'fp8' : ['auto', 'bfloat16', 'float16', 'half'].includes(v.toLowerCase()) ? 'auto' : null
const flagOf = (v: string | undefined): boolean | null => (v?.toLowerCase() === 'true' ? true : v?.toLowerCase() === 'false' ? false : null)
const numberOf = (v: string | undefined): number | null => (v === undefined || !Number.isFinite(Number(v)) || v.trim() === '' ? null : Number(v))

// Newer builds report kv_cache_size_tokens; older ones num_gpu_blocks × block_size.
function kvTokensOf(l: Record<string, string>): number | null {
  const direct = numberOf(l.kv_cache_size_tokens)
  if (direct !== null) return direct
  const blocks = numberOf(l.num_gpu_blocks)
  const size = numberOf(l.block_size)
  return blocks !== null && size !== null ? blocks * size : null
}

/** The most frequent non-null value: servers of one group run one configuration, a server restarting mid-rollout may not. */
function modal<T>(values: (T | null)[]): T | null {
  const counts = new Map<T, number>()
  for (const v of values) if (v !== null) counts.set(v, (counts.get(v) ?? 0) + 1)
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null
}

function engineOf(labels: Record<string, string>[]): ObservedEngine {
  return {
    kv_cache_dtype: modal(labels.map((l) => dtypeOf(l.cache_dtype))),
    prefix_caching: modal(labels.map((l) => flagOf(l.enable_prefix_caching))),
    gpu_memory_utilization: modal(labels.map((l) => numberOf(l.gpu_memory_utilization))),
    kv_cache_tokens: modal(labels.map(kvTokensOf).map((t) => (t !== null && t > 0 ? t : null))),
    servers: labels.length,
  }
}

/** Each deployment's engine as its stable servers report it (its canary's when no stable server reports). */
export function observedEngines(samples: VectorSample[], shape: Pick<QueryShape, 'deploymentLabel' | 'groupLabel'>): Map<string, ObservedEngine> {
  const byDeployment = new Map<string, { stable: Record<string, string>[]; canary: Record<string, string>[] }>()
  for (const s of samples) {
    const id = s.metric[shape.deploymentLabel]
    if (!id) continue
    const groups = byDeployment.get(id) ?? byDeployment.set(id, { stable: [], canary: [] }).get(id)!
    groups[s.metric[shape.groupLabel] === 'canary' ? 'canary' : 'stable'].push(s.metric)
  }
  return new Map([...byDeployment].map(([id, g]) => [id, engineOf(g.stable.length ? g.stable : g.canary)]))
}

/** The tensor-parallel size whose planned KV capacity is nearest the reported one (by ratio), among those that fit. */
export function tpFromKvCapacity(model: ModelSpec, base: EngineConfig, gpuType: string, gpuCount: number, kvTokens: number): number | undefined {
  const fitting = fittingPlans(model, base, gpuType, gpuCount).filter((p) => p.plan.kvCapacityTokens > 0)
  const distance = (tokens: number) => Math.abs(Math.log(tokens / kvTokens))
  return fitting.sort((a, b) => distance(a.plan.kvCapacityTokens) - distance(b.plan.kvCapacityTokens))[0]?.tp
}

/** The engine to judge a discovered deployment with; undefined when the model fits nowhere on the instance. */
export function judgedEngine(model: ModelSpec, gpuType: string, gpuCount: number, observed: ObservedEngine | null | undefined): JudgedEngine | undefined {
  const defaults = vllmDefaultsFor(gpuType)
  const reported: ReportedFlag[] = []
  const take = <T>(flag: ReportedFlag, value: T | null | undefined, fallback: T): T => {
    if (value === null || value === undefined) return fallback
    reported.push(flag)
    return value
  }
  const quantization = quantizationOf(model.name)
  if (quantization !== 'none') reported.push('quantization')
  const base: EngineConfig = {
    ...defaults, quantization,
    kvCacheDtype: take('kv_cache_dtype', observed?.kv_cache_dtype, defaults.kvCacheDtype),
    enablePrefixCaching: take('prefix_caching', observed?.prefix_caching, defaults.enablePrefixCaching),
    gpuMemoryUtilization: take('gpu_memory_utilization', observed?.gpu_memory_utilization, defaults.gpuMemoryUtilization),
  }
  const kv = observed?.kv_cache_tokens
  const fromKv = kv ? tpFromKvCapacity(model, base, gpuType, gpuCount, kv) : undefined
  if (fromKv !== undefined) reported.push('tensor_parallel_size')
  const tp = fromKv ?? smallestFittingTp(model, base, gpuType, gpuCount)
  return tp === undefined ? undefined : { config: { ...base, tensorParallelSize: tp }, reported: reported.sort() }
}
