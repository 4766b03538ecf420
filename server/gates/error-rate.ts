/**
 * The error-rate gate: is the canary's error rate above stable's plus a tolerance? Each interval
 * gives the canary's requests n and errors k, and a ceiling L = stable's rate over the same
 * interval + the tolerance. Under "the canary's rate is at most L" every likelihood ratio
 * (rL/L)^k·((1 − rL)/(1 − L))^(n−k) with r > 1 has expectation ≤ 1, so their product over the
 * intervals is a nonnegative supermartingale, and so is a mixture over r: a mixture sequential
 * probability ratio test (Robbins 1970; as an e-process, Howard et al. 2021 §3 and Ramdas et al.,
 * "Game-theoretic statistics and safe anytime-valid inference", Stat. Sci. 2023). It fails when
 * the mixture ever reaches 1/α. It is a one-sided test for harm: without evidence of harm it is
 * successful once the canary carried the minimum of requests.
 */
import { pct, type GateLook } from './gate.ts'

/** The error-rate gate's record. */
export interface ErrorGateConfig {
  /** Tolerated excess over stable's error rate (absolute, 0.001 = 0.1 percentage points). */
  tolerance: number
  alpha: number
  minRequests: number
}

/** Alternatives of the mixture: the canary's rate as a multiple of the ceiling (equal weights). */
export const ERROR_MULTIPLES = [1.5, 2, 3, 5, 10, 20, 50, 100] as const

/** Log wealth of each mixture component; resumable. */
export interface ErrorGateState { requests: number; errors: number; log: number[]; maxLogMixture: number }

/** Nothing observed yet. */
export function newErrorGate(): ErrorGateState {
  return { requests: 0, errors: 0, log: ERROR_MULTIPLES.map(() => 0), maxLogMixture: 0 }
}

/** log of the mean of exp(log) (log-sum-exp). */
function logMeanExp(xs: readonly number[]): number {
  const top = Math.max(...xs)
  return top + Math.log(xs.reduce((a, x) => a + Math.exp(x - top), 0) / xs.length)
}

/** The state after one interval: canary `errors` of `requests`, stable's rate `stableRate` over the same interval. */
export function observeErrors(s: ErrorGateState, requests: number, errors: number, stableRate: number, cfg: ErrorGateConfig): ErrorGateState {
  const n = Math.max(0, Math.round(requests))
  const k = Math.min(n, Math.max(0, Math.round(errors)))
  const ceiling = Math.min(0.5, Math.max(0, stableRate) + cfg.tolerance)
  const log = s.log.map((l, j) => {
    const alt = Math.min(0.999, ERROR_MULTIPLES[j]! * ceiling)
    return l + k * Math.log(alt / ceiling) + (n - k) * Math.log((1 - alt) / (1 - ceiling))
  })
  return { requests: s.requests + n, errors: s.errors + k, log, maxLogMixture: Math.max(s.maxLogMixture, logMeanExp(log)) }
}

/** Canary requests the gate needs to fail a canary at twice the ceiling: ln(1/α) / tolerance (a rough planning figure). */
export function errorRequestsNeeded(cfg: ErrorGateConfig): number {
  return Math.ceil(Math.log(1 / cfg.alpha) / Math.max(cfg.tolerance, 1e-6))
}

/** The gate's look. */
export function judgeErrors(s: ErrorGateState, stableRate: number | null, cfg: ErrorGateConfig): GateLook {
  const estimate = s.requests > 0 ? s.errors / s.requests : null
  const base = { gate: 'error_rate' as const, method: 'mixture SPRT e-process (canary rate ≤ stable + tolerance)', n: s.requests, estimate, lower: null, upper: null, threshold: cfg.tolerance, alpha: cfg.alpha, needs: errorRequestsNeeded(cfg) }
  const what = `canary ${estimate === null ? 'n/a' : pct(estimate, 3)} of ${s.requests} requests, stable ${stableRate === null ? 'n/a' : pct(stableRate, 3)}, e-value ${Math.exp(s.maxLogMixture).toPrecision(3)}`
  if (s.maxLogMixture >= Math.log(1 / cfg.alpha)) return { ...base, verdict: 'failed', reason: `error_rate: ${what} ≥ ${(1 / cfg.alpha).toFixed(0)}: above stable + ${pct(cfg.tolerance, 2)}` }
  if (s.requests < cfg.minRequests) return { ...base, verdict: 'inconclusive', reason: `error_rate: only ${s.requests} canary requests (< ${cfg.minRequests})` }
  return { ...base, verdict: 'successful', reason: `error_rate: ${what}: no evidence above stable + ${pct(cfg.tolerance, 2)}` }
}
