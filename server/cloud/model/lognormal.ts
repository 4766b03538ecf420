/**
 * Latency distributions as lognormals through a model's percentiles: how the twin spreads its
 * modelled latencies over vLLM's histogram buckets, and how the agents read their own
 * predictions the way Prometheus' `histogram_quantile` will report them. Pure.
 */
import normalCdf from '@stdlib/stats-base-dists-normal-cdf'

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

/** P(X ≤ x) for the lognormal `fit` (x in seconds, like the fit). */
export function lognormalCdf(fit: { mu: number; sigma: number }, x: number): number {
  return normalCdf(Math.log(x), fit.mu, fit.sigma)
}
