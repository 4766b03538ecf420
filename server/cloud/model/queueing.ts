/**
 * Small queueing and distribution helpers for the serving model: Erlang C (M/M/c waiting),
 * its waiting-time quantiles, and lognormal quantile factors for length-driven tails.
 */

/** Standard-normal quantiles for the percentiles vLLM dashboards show. */
export const Z = { p50: 0, p95: 1.6449, p99: 2.3263 } as const
/** The latency percentiles the model reports. */
export type Percentile = keyof typeof Z
/** Percentiles in reporting order. */
export const PERCENTILES: readonly Percentile[] = ['p50', 'p95', 'p99']

const TAIL: Readonly<Record<Percentile, number>> = { p50: 0.5, p95: 0.05, p99: 0.01 }

/**
 * Probability an arrival must wait in an M/M/c queue with offered load a (Erlangs).
 * Uses the Erlang B recursion, stable for c in the thousands.
 */
export function erlangC(c: number, a: number): number {
  if (a <= 0) return 0
  if (a >= c) return 1
  let b = 1
  for (let k = 1; k <= c; k++) b = (a * b) / (k + a * b)
  return (c * b) / (c - a * (1 - b))
}

/**
 * Waiting-time quantile of M/M/c: P(W > w) = C·exp(-(c/S)(1-ρ)·w), where S is the mean
 * service time. Zero when the chance of waiting at all is below the tail mass.
 */
export function waitQuantileMs(p: Percentile, c: number, rho: number, serviceMs: number, pWait: number): number {
  const tail = TAIL[p]
  if (pWait <= tail) return 0
  return (serviceMs / (c * (1 - rho))) * Math.log(pWait / tail)
}

/** Probability that an M/M/c wait exceeds `limitMs` (used for client time-outs). */
export function waitExceeds(limitMs: number, c: number, rho: number, serviceMs: number, pWait: number): number {
  return pWait * Math.exp(-((c * (1 - rho)) / serviceMs) * limitMs)
}

/** Quantile of a lognormal with mean 1 and log-sd sigma (multiply by the mean to use). */
export function lognormalFactor(p: Percentile, sigma: number): number {
  return Math.exp(Z[p] * sigma - (sigma * sigma) / 2)
}

/** Poisson-approximate quantile of a count with mean m (normal approximation, m ≥ 0). */
export function countQuantile(p: Percentile, mean: number): number {
  return mean + Z[p] * Math.sqrt(Math.max(mean, 0))
}
