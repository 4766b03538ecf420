/**
 * The latency regression gate: each bake interval gives one observation, the log ratio of the
 * canary's p95 to stable's over the same interval, y = ln(p95_canary / p95_stable). Clipped to
 * ±ln 2 and mapped to x = ½ + y/(2 ln 2) ∈ [0, 1], it feeds the same betting confidence sequence
 * as the quality gate (Waudby-Smith & Ramdas 2023). Failed when the lower bound of the mean ratio
 * exceeds 1 + the tolerated regression; successful when the upper bound is below it (after a
 * minimum of intervals); else inconclusive. The gated quantity is the geometric-mean p95 ratio.
 */
import { confidenceSequence, newBet, observeAll, rejected } from './betting.ts'
import { exhaust, pct, type GateLook } from './gate.ts'
import { samplesNeeded } from './sample-size.ts'

/** The latency gate's record. */
export interface LatencyGateConfig {
  /** Tolerated p95 regression against stable (0.05 = 5% slower). */
  toleratedRegression: number
  alpha: number
  minIntervals: number
  /** Planning standard deviation of one interval's log p95 ratio, for the sample size. */
  plannedSd: number
  /** Intervals after which an inconclusive gate stops (a human decides); absent: no bound. */
  maxIntervals?: number
}

/** Defaults: 5% tolerated, α = 0.05, ≥ 3 intervals, 0.06 planned spread of a log p95 ratio. */
export const DEFAULT_LATENCY_GATE: LatencyGateConfig = { toleratedRegression: 0.05, alpha: 0.05, minIntervals: 3, plannedSd: 0.06 }

const CLIP = Math.LN2

/** One interval's observation from the two p95s (null when either is missing). */
export function latencyObservation(canaryP95: number | null, stableP95: number | null): number | null {
  if (canaryP95 === null || stableP95 === null || !(canaryP95 > 0) || !(stableP95 > 0)) return null
  const y = Math.min(CLIP, Math.max(-CLIP, Math.log(canaryP95 / stableP95)))
  return 0.5 + y / (2 * CLIP)
}

const toRatio = (x: number) => Math.exp((x - 0.5) * 2 * CLIP) - 1

/** Intervals needed for 80% power at the tolerance (telling no regression, or twice the tolerance, from it). */
export function latencyIntervalsNeeded(cfg: LatencyGateConfig): number {
  const distance = Math.log(1 + 2 * cfg.toleratedRegression) - Math.log(1 + cfg.toleratedRegression)
  return samplesNeeded(Math.min(distance, Math.log(1 + cfg.toleratedRegression)), cfg.plannedSd ** 2, cfg.alpha)
}

/** The gate's look after these interval observations (from `latencyObservation`). */
export function judgeLatency(xs: readonly number[], cfg: LatencyGateConfig = DEFAULT_LATENCY_GATE): GateLook {
  const base = { gate: 'latency_p95' as const, method: 'betting confidence sequence (aGRAPA) on per-interval log p95 ratios', n: xs.length, threshold: cfg.toleratedRegression, alpha: cfg.alpha, needs: latencyIntervalsNeeded(cfg) }
  if (xs.length === 0) return { ...base, estimate: null, lower: null, upper: null, verdict: 'inconclusive', reason: 'no interval with both p95s yet' }
  const cs = confidenceSequence(xs, cfg.alpha)
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length
  const nums = { ...base, estimate: toRatio(mean), lower: toRatio(cs.lower), upper: toRatio(cs.upper) }
  const side = rejected(observeAll(newBet(latencyObservation(1 + cfg.toleratedRegression, 1)!), xs), cfg.alpha)
  const what = `p95 ${pct(nums.estimate)} vs stable in [${pct(nums.lower)}, ${pct(nums.upper)}] (${xs.length} intervals)`
  if (side === 'above') return { ...nums, verdict: 'failed', reason: `latency ${what}: lower bound above the tolerated +${pct(cfg.toleratedRegression)}` }
  if (xs.length < cfg.minIntervals) return { ...nums, verdict: 'inconclusive', reason: `only ${xs.length} intervals (< ${cfg.minIntervals})` }
  if (side === 'below') return { ...nums, verdict: 'successful', reason: `latency ${what}: upper bound below the tolerated +${pct(cfg.toleratedRegression)}` }
  return exhaust({ ...nums, verdict: 'inconclusive', reason: `latency ${what} straddles the tolerated +${pct(cfg.toleratedRegression)}` }, cfg.maxIntervals, 'intervals')
}
