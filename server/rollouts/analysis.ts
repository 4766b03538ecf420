/**
 * Canary analysis with Argo Rollouts' semantics, as pure functions: each bake interval yields one
 * measurement per metric (successful | failed | inconclusive | error), and `assess` turns a
 * metric's measurements into a phase with `failureLimit`, `inconclusiveLimit` and
 * `consecutiveErrorLimit`. Completed analyses are Successful → continue, Failed/Error → abort,
 * Inconclusive → extend the bake, then pause for a human.
 */
import normalCdf from '@stdlib/stats-base-dists-normal-cdf'

/** Phase of one measurement, of a metric, or of the whole analysis. */
export type AnalysisPhase = 'successful' | 'failed' | 'inconclusive' | 'error'

/** One measurement of one metric (a bake interval). Failures of the outside world are `error` data. */
export interface Measurement {
  metric: string
  phase: AnalysisPhase
  /** Canary value (ms, fraction, ...); null when there was no data. */
  value: number | null
  /** Stable value over the same interval, the comparison baseline. */
  baseline: number | null
  limit: number | null
  message: string
  at: string
}

/** Argo's limits. Defaults: failureLimit 0, inconclusiveLimit 0, consecutiveErrorLimit 4. */
export interface AnalysisLimits {
  failureLimit: number
  inconclusiveLimit: number
  consecutiveErrorLimit: number
  /** Measurements per metric after which a metric that has not failed is Successful. */
  count: number
}

/** Argo's defaults (peers §1.1). */
export const ARGO_DEFAULT_LIMITS: AnalysisLimits = { failureLimit: 0, inconclusiveLimit: 0, consecutiveErrorLimit: 4, count: 1 }

/** A metric's tally and phase; `running` until it is decided. */
export interface MetricAssessment {
  metric: string
  phase: AnalysisPhase | 'running'
  count: number
  successful: number
  failed: number
  inconclusive: number
  error: number
  consecutiveErrors: number
  message: string
}

/** Overall result of an analysis. */
export interface Assessment { phase: AnalysisPhase | 'running'; metrics: MetricAssessment[]; message: string }

/** Tallies one metric's measurements (in time order) and decides its phase as Argo does. */
export function assessMetric(metric: string, ms: Measurement[], limits: AnalysisLimits): MetricAssessment {
  // unlike Argo, errors do not count toward `count`: a bake of errors must not end "successful"
  const a: MetricAssessment = { metric, phase: 'running', count: ms.filter((m) => m.phase !== 'error').length, successful: 0, failed: 0, inconclusive: 0, error: 0, consecutiveErrors: 0, message: '' }
  for (const m of ms) {
    a[m.phase] += 1
    a.consecutiveErrors = m.phase === 'error' ? a.consecutiveErrors + 1 : 0
  }
  const last = ms[ms.length - 1]
  if (a.failed > limits.failureLimit) return { ...a, phase: 'failed', message: `${metric}: ${a.failed} failed measurement(s) > failureLimit ${limits.failureLimit}${last ? ` (last: ${worst(ms, 'failed')})` : ''}` }
  if (a.inconclusive > limits.inconclusiveLimit) return { ...a, phase: 'inconclusive', message: `${metric}: ${a.inconclusive} inconclusive measurement(s) > inconclusiveLimit ${limits.inconclusiveLimit} (last: ${worst(ms, 'inconclusive')})` }
  if (a.consecutiveErrors > limits.consecutiveErrorLimit) return { ...a, phase: 'error', message: `${metric}: ${a.consecutiveErrors} consecutive errors > consecutiveErrorLimit ${limits.consecutiveErrorLimit} (last: ${last?.message ?? ''})` }
  // Argo: once the count is reached the metric is Successful; the counters were checked above.
  if (a.count >= limits.count) return { ...a, phase: 'successful', message: `${metric}: ${a.successful}/${a.count} measurements successful` }
  return { ...a, message: `${metric}: ${a.count}/${limits.count} measurements taken` }
}

function worst(ms: Measurement[], phase: AnalysisPhase): string {
  return [...ms].reverse().find((m) => m.phase === phase)?.message ?? ''
}

// Argo's IsWorse order: a worse phase of any metric decides the analysis.
const RANK: Record<AnalysisPhase | 'running', number> = { running: 1, successful: 2, inconclusive: 3, error: 4, failed: 5 }

/**
 * Assesses every metric found in `measurements` (plus `expected` metrics that have none yet).
 * Failed/Error/Inconclusive of any metric decide at once (Argo aborts without waiting for the
 * count); otherwise the analysis runs until every metric reached its count.
 */
export function assess(measurements: Measurement[], limits: AnalysisLimits, expected: string[] = []): Assessment {
  const names = [...new Set([...expected, ...measurements.map((m) => m.metric)])]
  const metrics = names.map((n) => assessMetric(n, measurements.filter((m) => m.metric === n), limits))
  const decided = metrics.filter((m) => m.phase !== 'running' && m.phase !== 'successful')
  if (decided.length > 0) {
    const w = decided.reduce((x, y) => (RANK[y.phase] > RANK[x.phase] ? y : x))
    return { phase: w.phase, metrics, message: decided.map((m) => m.message).join('; ') }
  }
  if (metrics.length > 0 && metrics.every((m) => m.phase === 'successful')) return { phase: 'successful', metrics, message: 'all metrics successful' }
  return { phase: 'running', metrics, message: metrics.map((m) => m.message).join('; ') }
}

/** The rule that classifies a latency-like measurement: lower is better. */
export interface UpperBoundRule {
  /** The SLO limit (e.g. p95 < 1000 ms). */
  limit: number
  /** Canary within baseline × (1 + this) counts as "no regression" even above the limit. */
  noRegressionTolerance: number
  /** Canary above the limit AND above baseline × (1 + this) is a failure. */
  failTolerance: number
}

/**
 * Latency verdict for one interval. Successful when the canary meets the SLO or is no worse than
 * stable (a canary is not blamed for a fleet that already misses its SLO, Argo #1774); failed when
 * it misses the SLO AND clearly regresses against stable; inconclusive in between or without data
 * (no traffic is not a failure, Argo #1905).
 */
export function classifyUpperBound(metric: string, canary: number | null, stable: number | null, rule: UpperBoundRule, at: Date): Measurement {
  const base = { metric, value: canary, baseline: stable, limit: rule.limit, at: at.toISOString() }
  if (canary === null || !Number.isFinite(canary)) return { ...base, value: null, phase: 'inconclusive', message: `${metric}: no canary data in the interval` }
  const fmt = (x: number) => (Math.abs(x) < 1 ? x.toPrecision(3) : x.toFixed(0))
  const vs = stable === null ? 'no stable data' : `stable ${fmt(stable)}`
  if (canary <= rule.limit) return { ...base, phase: 'successful', message: `${metric}: canary ${fmt(canary)} ≤ limit ${fmt(rule.limit)} (${vs})` }
  if (stable !== null && canary <= stable * (1 + rule.noRegressionTolerance)) {
    return { ...base, phase: 'successful', message: `${metric}: canary ${fmt(canary)} above limit ${fmt(rule.limit)} but no worse than ${vs}` }
  }
  if (stable === null || canary > stable * (1 + rule.failTolerance)) {
    return { ...base, phase: 'failed', message: `${metric}: canary ${fmt(canary)} > limit ${fmt(rule.limit)} and worse than ${vs}` }
  }
  return { ...base, phase: 'inconclusive', message: `${metric}: canary ${fmt(canary)} > limit ${fmt(rule.limit)}, slightly worse than ${vs}` }
}

/** The rule for error rates: counts matter, because one error in 200 requests is not a 0.5% rate. */
export interface ErrorRateRule {
  limit: number
  /** Fewer canary requests than this in an interval → inconclusive. */
  minRequests: number
  /** One-sided significance for "the canary's error rate exceeds the limit". */
  alpha: number
}

/**
 * Error-rate verdict for one interval: failed only when the canary's errors are significantly above
 * the limit (binomial tail p < alpha) and above stable's rate; successful otherwise; inconclusive
 * when the canary served too few requests to tell.
 */
export function classifyErrorRate(canary: { requests: number; errors: number } | null, stableRate: number | null, rule: ErrorRateRule, at: Date): Measurement {
  const base = { metric: 'error_rate', baseline: stableRate, limit: rule.limit, at: at.toISOString() }
  if (!canary || canary.requests < rule.minRequests) {
    return { ...base, value: canary && canary.requests > 0 ? canary.errors / canary.requests : null, phase: 'inconclusive', message: `error_rate: only ${canary?.requests.toFixed(0) ?? 0} canary requests (< ${rule.minRequests})` }
  }
  const rate = canary.errors / canary.requests
  const p = binomialUpperTail(Math.round(canary.errors), Math.round(canary.requests), rule.limit)
  const worseThanStable = stableRate === null || rate > stableRate * 1.5
  const msg = `error_rate: canary ${(rate * 100).toFixed(3)}% of ${canary.requests.toFixed(0)} (stable ${stableRate === null ? 'n/a' : `${(stableRate * 100).toFixed(3)}%`}, limit ${(rule.limit * 100).toFixed(3)}%, p=${p.toPrecision(2)})`
  if (rate > rule.limit && p < rule.alpha && worseThanStable) return { ...base, value: rate, phase: 'failed', message: msg }
  return { ...base, value: rate, phase: 'successful', message: msg }
}

/** P(X ≥ k) for X ~ Binomial(n, p), by a Poisson approximation for large n (errors are rare). */
export function binomialUpperTail(k: number, n: number, p: number): number {
  if (k <= 0) return 1
  if (n <= 0) return 0
  const lambda = n * p
  if (lambda === 0) return 0
  if (lambda > 50) return 1 - normalCdf(k - 0.5, lambda, Math.sqrt(lambda * (1 - p)))
  // P(X ≥ k) = 1 − Σ_{i<k} e^−λ λ^i / i!, summed in log space for stability
  let term = Math.exp(-lambda)
  let cdf = term
  for (let i = 1; i < k; i++) {
    term *= lambda / i
    cdf += term
    if (term < 1e-300) break
  }
  return Math.min(1, Math.max(0, 1 - cdf))
}
