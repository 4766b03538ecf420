/**
 * Cumulative vLLM counters and histograms of one serving group, advanced by rate × elapsed
 * simulated time from the serving model, so that two scrapes Δt apart differ by what the model
 * predicts. Latency histograms spread each interval's observations over vLLM's buckets with a
 * lognormal fitted to the modelled percentiles. Pure.
 */
import type { ServingStats } from '../model/serving.ts'
import type { GroupEffects } from './faults.ts'
import normalCdf from '@stdlib/stats-base-dists-normal-cdf'
import { fitLognormal, lognormalCdf } from '../model/lognormal.ts'
import { VLLM_BUCKETS } from '../../telemetry/vllm.ts'

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

/** Adds `n` observations distributed as the fitted lognormal (all at 0 when there is none). */
export function observe(h: Hist, bounds: readonly number[], n: number, fit: { mu: number; sigma: number } | null): void {
  if (!(n > 0)) return
  bounds.forEach((le, i) => {
    const share = fit ? lognormalCdf(fit, le) : 1
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
export const LENGTH_CAPPED_SHARE = 1 - normalCdf(Math.log(2.5), -0.18, 0.6)

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
