/**
 * Cumulative vLLM counters and histograms of one serving group, advanced by rate × elapsed
 * simulated time from the serving model, so that two scrapes Δt apart differ by what the model
 * predicts. Latency histograms spread each interval's observations over vLLM's buckets with a
 * lognormal fitted to the modelled percentiles. Pure.
 */
import type { ServingStats } from '../model/serving.ts'
import type { GroupEffects } from './faults.ts'

/** vLLM's bucket boundaries in seconds (vllm/v1/metrics/loggers.py, ecosystem-formats §1.2). */
export const VLLM_BUCKETS = {
  ttft: [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0, 160.0, 640.0, 2560.0],
  itl: [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0],
  e2e: [0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0, 15.0, 20.0, 30.0, 40.0, 50.0, 60.0, 120.0, 240.0, 480.0, 960.0, 1920.0, 7680.0],
} as const

/** A cumulative histogram: counts per `le` (already cumulative), sum and count. */
export interface Hist { buckets: number[]; sum: number; count: number }

/** Why requests finished, as vLLM labels them. */
export const FINISHED_REASONS = ['stop', 'length', 'abort', 'error', 'repetition'] as const
export type FinishedReason = typeof FINISHED_REASONS[number]

/** Everything cumulative a vLLM server exposes, for one group. */
export interface GroupCounters {
  promptTokens: number
  generationTokens: number
  prefixQueries: number
  prefixHits: number
  preemptions: number
  finished: Record<FinishedReason, number>
  ttft: Hist
  itl: Hist
  e2e: Hist
  queue: Hist
}

function emptyHist(n: number): Hist {
  return { buckets: new Array<number>(n).fill(0), sum: 0, count: 0 }
}

/** Zeroed counters (a vLLM server that has just started). */
export function emptyGroupCounters(): GroupCounters {
  return {
    promptTokens: 0, generationTokens: 0, prefixQueries: 0, prefixHits: 0, preemptions: 0,
    finished: { stop: 0, length: 0, abort: 0, error: 0, repetition: 0 },
    ttft: emptyHist(VLLM_BUCKETS.ttft.length), itl: emptyHist(VLLM_BUCKETS.itl.length),
    e2e: emptyHist(VLLM_BUCKETS.e2e.length), queue: emptyHist(VLLM_BUCKETS.e2e.length),
  }
}

/** Standard normal CDF (Abramowitz & Stegun 7.1.26 erf, |error| < 1.5e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2
  const t = 1 / (1 + 0.3275911 * x)
  const erf = 1 - (((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t) * Math.exp(-x * x)
  return z >= 0 ? (1 + erf) / 2 : (1 - erf) / 2
}

const Z95 = 1.6449
const Z99 = 2.3263
/** Below this a latency is a point mass at zero (e.g. no queueing). */
const ZERO_SECONDS = 1e-6

/** A lognormal (of seconds) through p50/p95, or through p95/p99 when the median is ~0; null when all ~0. */
export function fitLognormal(p: { p50: number; p95: number; p99: number }): { mu: number; sigma: number } | null {
  const [p50, p95, p99] = [p.p50 / 1000, p.p95 / 1000, p.p99 / 1000]
  if (p50 > ZERO_SECONDS && p95 > p50) return { mu: Math.log(p50), sigma: Math.log(p95 / p50) / Z95 }
  if (p50 > ZERO_SECONDS) return { mu: Math.log(p50), sigma: 1e-3 }
  if (p95 > ZERO_SECONDS && p99 > p95) {
    const sigma = Math.log(p99 / p95) / (Z99 - Z95)
    return { mu: Math.log(p95) - Z95 * sigma, sigma }
  }
  return p99 > ZERO_SECONDS ? { mu: Math.log(p99) - Z99, sigma: 1 } : null
}

/** Adds `n` observations distributed as the fitted lognormal (all at 0 when there is none). */
export function observe(h: Hist, bounds: readonly number[], n: number, fit: { mu: number; sigma: number } | null): void {
  if (!(n > 0)) return
  bounds.forEach((le, i) => {
    const share = fit ? normalCdf((Math.log(le) - fit.mu) / fit.sigma) : 1
    h.buckets[i] = (h.buckets[i] ?? 0) + n * share
  })
  h.count += n
  if (fit) h.sum += n * Math.exp(fit.mu + (fit.sigma * fit.sigma) / 2)
}

/**
 * Share of successful requests cut at max_tokens: P(length > 2.5 × mean) for the mean-1
 * lognormal (σ = 0.6) the serving model uses for output lengths, with clients setting
 * max_tokens at 2.5× the mean output ≈ 3.4%.
 */
export const LENGTH_CAPPED_SHARE = 1 - normalCdf((Math.log(2.5) + 0.18) / 0.6)

/** Serving stats with injected faults applied (latency ×factor, extra errors). */
export function withFaults(s: ServingStats, rps: number, e: GroupEffects): ServingStats {
  if (e.latencyFactor === 1 && e.errorRate === 0) return s
  const scale = (p: ServingStats['ttftMs']) => ({ p50: p.p50 * e.latencyFactor, p95: p.p95 * e.latencyFactor, p99: p.p99 * e.latencyFactor })
  const errorRate = Math.min(1, s.errorRate + e.errorRate)
  const throughputRps = rps * (1 - errorRate)
  const perRequest = s.throughputRps > 0 ? s.generationTokensPerSec / s.throughputRps : 0
  return {
    ...s, errorRate, throughputRps, generationTokensPerSec: throughputRps * perRequest,
    ttftMs: scale(s.ttftMs), itlMs: scale(s.itlMs), e2eMs: scale(s.e2eMs), queueMs: scale(s.queueMs),
  }
}

/** Advances the counters by `seconds` of serving `rps` offered requests/s at `stats`. */
export function accrueGroup(c: GroupCounters, stats: ServingStats, rps: number, promptTokensMean: number, seconds: number): GroupCounters {
  if (!(seconds > 0) || !(rps > 0)) return c
  const offered = rps * seconds
  const failed = offered * Math.min(1, Math.max(0, stats.errorRate))
  const ok = offered - failed
  const gen = stats.throughputRps > 0 ? (stats.generationTokensPerSec / stats.throughputRps) * ok : 0
  c.promptTokens += ok * promptTokensMean
  c.generationTokens += gen
  c.prefixQueries += ok * promptTokensMean
  c.prefixHits += ok * promptTokensMean * stats.prefixCacheHitRate
  c.preemptions += stats.preemptionsPerSec * seconds
  c.finished.error += failed
  c.finished.length += ok * LENGTH_CAPPED_SHARE
  c.finished.stop += ok * (1 - LENGTH_CAPPED_SHARE)
  if (ok > 0) {
    observe(c.ttft, VLLM_BUCKETS.ttft, ok, fitLognormal(stats.ttftMs))
    observe(c.itl, VLLM_BUCKETS.itl, gen, fitLognormal(stats.itlMs))
    observe(c.e2e, VLLM_BUCKETS.e2e, ok, fitLognormal(stats.e2eMs))
    observe(c.queue, VLLM_BUCKETS.e2e, ok, fitLognormal(stats.queueMs))
  }
  return c
}
