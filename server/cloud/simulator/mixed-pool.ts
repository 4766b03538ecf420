/**
 * A serving group may mix instance types (a spot group diversified over p4d and p4de, as
 * Karpenter and SkyPilot recommend against correlated interruptions). The router splits the
 * group's traffic across the types in proportion to their capacity, each type serves its share,
 * and the group's stats combine them: rates add up, shares average by traffic, and tail latencies
 * take the worst type (a p95 over mixed traffic is at least that of the slower pool's share). Pure.
 */
import { serve, type EngineConfig, type GroupLoad, type ModelSpec, type ServingStats } from '../model/serving.ts'

/** Instances of one type within a group. */
export interface TypePool { gpuType: string; gpusPerInstance: number; instances: number }

/** Groups running instances by (GPU type, GPUs per instance). */
export function poolsOf(running: { gpu_type: string; gpu_count: number }[]): TypePool[] {
  const pools = new Map<string, TypePool>()
  for (const r of running) {
    const key = `${r.gpu_type}/${r.gpu_count}`
    const p = pools.get(key) ?? { gpuType: r.gpu_type, gpusPerInstance: r.gpu_count, instances: 0 }
    p.instances += 1
    pools.set(key, p)
  }
  return [...pools.values()]
}

/** Serves `load` (whose rps is the whole group's) over one or more type pools. */
export function serveGroup(model: ModelSpec, config: EngineConfig, pools: TypePool[], load: GroupLoad): ServingStats {
  if (pools.length <= 1) return serve(model, config, { ...load, ...(pools[0] ?? {}) })
  const capacities = pools.map((p) => serve(model, config, { ...load, ...p, rps: 0 }).maxRpsCapacity)
  const total = capacities.reduce((s, c) => s + c, 0)
  const parts = pools.map((p, i) => {
    const share = total > 0 ? capacities[i]! / total : 1 / pools.length
    return { share, stats: serve(model, config, { ...load, ...p, rps: load.rps * share }) }
  })
  return combine(parts, load.rps)
}

function combine(parts: { share: number; stats: ServingStats }[], rps: number): ServingStats {
  const sum = (f: (s: ServingStats) => number) => parts.reduce((acc, p) => acc + f(p.stats), 0)
  const avg = (f: (s: ServingStats) => number) => parts.reduce((acc, p) => acc + p.share * f(p.stats), 0)
  const worst = (f: (s: ServingStats) => ServingStats['e2eMs']) => ({
    p50: avg((s) => f(s).p50),
    p95: Math.max(...parts.map((p) => f(p.stats).p95)),
    p99: Math.max(...parts.map((p) => f(p.stats).p99)),
  })
  const capacity = sum((s) => s.maxRpsCapacity)
  const dominant = [...parts].sort((a, b) => b.share - a.share)[0]!.stats
  return {
    ...dominant,
    fits: parts.every((p) => p.stats.fits),
    maxRpsCapacity: capacity,
    ttftMs: worst((s) => s.ttftMs), itlMs: worst((s) => s.itlMs), e2eMs: worst((s) => s.e2eMs), queueMs: worst((s) => s.queueMs),
    throughputRps: sum((s) => s.throughputRps),
    generationTokensPerSec: sum((s) => s.generationTokensPerSec),
    errorRate: avg((s) => s.errorRate),
    kvCacheUsage: avg((s) => s.kvCacheUsage),
    preemptionsPerSec: sum((s) => s.preemptionsPerSec),
    gpuUtilization: avg((s) => s.gpuUtilization),
    requestsRunning: sum((s) => s.requestsRunning),
    requestsWaiting: sum((s) => s.requestsWaiting),
    prefixCacheHitRate: avg((s) => s.prefixCacheHitRate),
    saturation: capacity > 0 ? rps / capacity : Number.POSITIVE_INFINITY,
    replicas: sum((s) => s.replicas),
    warnings: [...new Set(parts.flatMap((p) => p.stats.warnings))],
  }
}
