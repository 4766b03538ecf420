/**
 * Turns one replica's operating point into the numbers vLLM would export: latency
 * percentiles (M/M/c queueing on batch slots, batch-size and prompt-chunk tails, lognormal
 * request lengths), KV pressure, preemptions, errors. Pure; times in ms, rates per ms.
 */
import type { ReplicaPlan } from './engine.ts'
import { countQuantile, erlangC, lognormalFactor, PERCENTILES, waitExceeds, waitQuantileMs, type Percentile } from './queueing.ts'
import { avgStepMs, prefillChunk, prefillMs, solveBatch, stepRange, type Workload } from './replica.ts'
import type { Percentiles } from './serving.ts'

/** Client/gateway time-out: queued requests are abandoned after this (nginx/ALB default 60 s). */
export const REQUEST_TIMEOUT_MS = 60_000
/**
 * The M/M/c formulas are used up to RHO_EDGE of capacity. Beyond it the textbook wait
 * diverges while real clients abandon, so queue time ramps linearly to the time-out, reached
 * at RHO_FULL, and load above capacity is shed as errors.
 */
const RHO_EDGE = 0.97
const RHO_FULL = 1.1
/** Log-sd of prompt and output lengths (chat traffic has a coefficient of variation ≈ 0.6–1). */
const PROMPT_SIGMA = 0.6
const OUTPUT_SIGMA = 0.6
/** Residual failure rate of a healthy server (client resets, malformed requests). */
const BASE_ERROR_RATE = 1e-4
/** KV usage where vLLM starts preempting, and the worst-case effects at 100% (assumptions). */
const KV_PRESSURE_ONSET = 0.9
const PREEMPTIONS_PER_REQUEST_AT_FULL_KV = 0.5
const ERROR_RATE_AT_FULL_KV = 0.02
const TAIL_MASS: Readonly<Record<Percentile, number>> = { p50: 0.5, p95: 0.05, p99: 0.01 }

/** One replica's exported numbers before aggregation over the group. */
export interface ReplicaStats {
  ttftMs: Percentiles
  itlMs: Percentiles
  e2eMs: Percentiles
  queueMs: Percentiles
  errorRate: number
  kvCacheUsage: number
  preemptionsPerMs: number
  gpuUtilization: number
  running: number
  waiting: number
  warnings: string[]
}

function each(f: (p: Percentile) => number): Percentiles {
  const [p50, p95, p99] = PERCENTILES.map(f) as [number, number, number]
  return { p50, p95, p99 }
}

function kvUsage(plan: ReplicaPlan, w: Workload, batch: number): number {
  return Math.min(1, (batch * w.kvTokensPerSeq + w.sharedKvTokens) / plan.kvCapacityTokens)
}

/** 0 below the onset, 1 at a full cache, quadratic in between. */
function kvPressure(usage: number): number {
  const x = Math.min(1, Math.max(0, (usage - KV_PRESSURE_ONSET) / (1 - KV_PRESSURE_ONSET)))
  return x * x
}

/**
 * ITL quantile of a two-point mix: a token waits a decode-only step, or a step that also
 * carries a prompt chunk. The quantile is the chunk step once the share of such steps
 * exceeds the tail mass; a ramp from half to 1.5× the tail mass keeps it continuous.
 */
function itlAt(plan: ReplicaPlan, w: Workload, p: Percentile, batch: number, chunkShare: number): number {
  const { decodeOnly, withChunk } = stepRange(plan, w, batch)
  const weight = Math.min(1, Math.max(0, chunkShare / TAIL_MASS[p] - 0.5))
  return decodeOnly + weight * (withChunk - decodeOnly)
}

function stableStats(plan: ReplicaPlan, w: Workload, mu: number, lambda: number): ReplicaStats {
  const rho = mu > 0 ? lambda / mu : 1
  const batch = solveBatch(plan, w, lambda) ?? w.batchCap
  const step = avgStepMs(plan, w, lambda, batch)
  const serviceMs = prefillMs(plan, w, batch, w.prefillTokens) + w.outputTokens * step
  const c = w.batchCap
  const pWait = erlangC(c, rho * c)
  const inFlight = lambda * serviceMs
  const batchAt = (p: Percentile) => Math.min(c, countQuantile(p, inFlight))
  const chunkShare = Math.min(1, lambda * step * Math.max(1, w.prefillTokens / prefillChunk(w, batch)))
  const queueMs = each((p) => Math.min(REQUEST_TIMEOUT_MS, waitQuantileMs(p, c, rho, serviceMs, pWait)))
  const ttftMs = each((p) => queueMs[p] + prefillMs(plan, w, batchAt(p), w.prefillTokens * lognormalFactor(p, PROMPT_SIGMA)))
  const pressure = kvPressure(kvUsage(plan, w, batchAt('p95')))
  return {
    queueMs, ttftMs,
    itlMs: each((p) => itlAt(plan, w, p, batchAt(p), chunkShare)),
    e2eMs: each((p) => ttftMs[p] + Math.max(0, w.outputTokens * lognormalFactor(p, OUTPUT_SIGMA) - 1) * step),
    errorRate: Math.min(1, BASE_ERROR_RATE + waitExceeds(REQUEST_TIMEOUT_MS, c, rho, serviceMs, pWait) + ERROR_RATE_AT_FULL_KV * pressure),
    kvCacheUsage: kvUsage(plan, w, batch),
    preemptionsPerMs: lambda * PREEMPTIONS_PER_REQUEST_AT_FULL_KV * pressure,
    gpuUtilization: 1 - Math.exp(-inFlight),
    running: Math.min(c, inFlight),
    waiting: rho < 1 ? (pWait * rho) / (1 - rho) : 0,
    warnings: [...plan.warnings],
  }
}

/** Near and past saturation: queues ramp to the time-out and the excess is shed as errors. */
function saturatedStats(plan: ReplicaPlan, w: Workload, mu: number, lambda: number): ReplicaStats {
  const rho = lambda / mu
  const edge = stableStats(plan, w, mu, RHO_EDGE * mu)
  const ramp = Math.min(1, (rho - RHO_EDGE) / (RHO_FULL - RHO_EDGE))
  const extra = each((p) => ramp * (REQUEST_TIMEOUT_MS - edge.queueMs[p]))
  const add = (x: Percentiles) => each((p) => x[p] + extra[p])
  const warnings = rho >= 1 ? [...edge.warnings, `overloaded: ${rho.toFixed(2)}x capacity, excess requests time out`] : edge.warnings
  return {
    ...edge,
    queueMs: add(edge.queueMs), ttftMs: add(edge.ttftMs), e2eMs: add(edge.e2eMs),
    errorRate: Math.max(edge.errorRate, 1 - 1 / rho),
    preemptionsPerMs: edge.preemptionsPerMs * (rho / RHO_EDGE),
    waiting: edge.waiting + ramp * lambda * REQUEST_TIMEOUT_MS * 0.5 + Math.max(0, lambda - mu) * REQUEST_TIMEOUT_MS,
    warnings,
  }
}

/** Stats of one replica receiving `lambda` requests/ms with sustainable capacity `mu` requests/ms. */
export function replicaStats(plan: ReplicaPlan, w: Workload, mu: number, lambda: number): ReplicaStats {
  return lambda >= RHO_EDGE * mu ? saturatedStats(plan, w, mu, lambda) : stableStats(plan, w, mu, lambda)
}
