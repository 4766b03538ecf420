/**
 * Latency as the fleet's telemetry will report it. Prometheus' `histogram_quantile` over vLLM's
 * e2e buckets interpolates linearly inside a bucket, and the buckets are coarse (2.5 → 5 s, 20 →
 * 30 s), so a tail quantile reads well above the latency's true one. The canary's SLO rules and the
 * agents' fit read that reported figure; agents that compared the model's exact p99 with the SLO
 * validated plans whose canary then failed its p99 rule. Pure.
 */
import { fitLognormal, lognormalCdf } from '../cloud/model/lognormal.ts'
import { histogramQuantile } from '../telemetry/histogram.ts'
import { VLLM_BUCKETS } from '../telemetry/vllm.ts'

/** Latency percentiles of a prediction (ms). */
export interface Percentiles { p50Ms: number; p95Ms: number; p99Ms: number }

/** The `q` quantile histogram_quantile reports for a latency with these percentiles (lognormal fit, vLLM's e2e buckets). */
export function reportedQuantile(p: Percentiles, q: 0.95 | 0.99): number {
  const exact = q === 0.95 ? p.p95Ms : p.p99Ms
  const fit = fitLognormal({ p50: p.p50Ms, p95: p.p95Ms, p99: p.p99Ms })
  if (!fit || !Number.isFinite(exact)) return exact
  const buckets = [...VLLM_BUCKETS.e2e.map((le) => ({ le, count: lognormalCdf(fit, le) })), { le: Number.POSITIVE_INFINITY, count: 1 }]
  const r = histogramQuantile(buckets, q)
  return Number.isFinite(r) ? r * 1000 : exact
}

/** The p95 telemetry reports. */
export const reportedP95 = (p: Percentiles): number => reportedQuantile(p, 0.95)
/** The p99 telemetry reports. */
export const reportedP99 = (p: Percentiles): number => reportedQuantile(p, 0.99)
