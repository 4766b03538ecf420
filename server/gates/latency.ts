/**
 * The latency regression gate: each bake interval gives one observation, the log ratio of the
 * canary's p95 to stable's over the same interval, y = ln(p95_canary / p95_stable). Clipped to
 * ±c and mapped to x = ½ + y/(2c) ∈ [0, 1], it feeds the same betting confidence sequence as the
 * quality gate (Waudby-Smith & Ramdas 2023). Failed when the lower bound of the mean exceeds
 * ln(1 + tolerated regression); successful when the upper bound is below it (after a minimum of
 * intervals); else inconclusive. The gated quantity is the geometric-mean p95 ratio of the
 * clipped intervals.
 *
 * The clip is c = 4·ln(1 + tolerance): wide enough that the threshold sits well inside the range,
 * narrow enough that one interval's spread uses the bet's range (a clip at a doubling left a 10%
 * regression undetected in 50 intervals: bench `latency gate: power at 10% p95 regression`). For
 * interval noise symmetric around the true log ratio μ, clipping at ±c never raises the mean when
 * 0 ≤ μ ≤ c, so a canary within the tolerance still fails with probability ≤ α.
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

/** The clip of the mapped log ratio for a tolerance (see above). */
export function latencyClip(cfg: Pick<LatencyGateConfig, 'toleratedRegression'>): number {
  return 4 * Math.log(1 + cfg.toleratedRegression)
}

/** One interval's log p95 ratio, stored unmapped (null when either p95 is missing). */
export function latencyLogRatio(canaryP95: number | null, stableP95: number | null): number | null {
  if (canaryP95 === null || stableP95 === null || !(canaryP95 > 0) || !(stableP95 > 0)) return null
  return Math.log(canaryP95 / stableP95)
}

/** A log ratio clipped to ±clip and mapped to [0, 1]. */
export function toUnit(y: number, clip: number): number {
  return 0.5 + Math.min(clip, Math.max(-clip, y)) / (2 * clip)
}

/** Intervals needed for 80% power at the tolerance (telling no regression, or twice the tolerance, from it). */
export function latencyIntervalsNeeded(cfg: LatencyGateConfig): number {
  const distance = Math.log(1 + 2 * cfg.toleratedRegression) - Math.log(1 + cfg.toleratedRegression)
  return samplesNeeded(Math.min(distance, Math.log(1 + cfg.toleratedRegression)), cfg.plannedSd ** 2, cfg.alpha)
}

/** The gate's look after these intervals' log p95 ratios (from `latencyLogRatio`). */
export function judgeLatency(ys: readonly number[], cfg: LatencyGateConfig = DEFAULT_LATENCY_GATE): GateLook {
  const base = { gate: 'latency_p95' as const, method: 'betting confidence sequence (aGRAPA) on per-interval log p95 ratios', n: ys.length, threshold: cfg.toleratedRegression, alpha: cfg.alpha, needs: latencyIntervalsNeeded(cfg) }
  if (ys.length === 0) return { ...base, estimate: null, lower: null, upper: null, verdict: 'inconclusive', reason: 'no interval with both p95s yet' }
  const clip = latencyClip(cfg)
  const xs = ys.map((y) => toUnit(y, clip))
  const toRatio = (x: number) => Math.exp((x - 0.5) * 2 * clip) - 1
  const cs = confidenceSequence(xs, cfg.alpha)
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length
  const nums = { ...base, estimate: toRatio(mean), lower: toRatio(cs.lower), upper: toRatio(cs.upper) }
  const side = rejected(observeAll(newBet(toUnit(Math.log(1 + cfg.toleratedRegression), clip)), xs), cfg.alpha)
  const what = `p95 ${pct(nums.estimate)} vs stable in [${pct(nums.lower)}, ${pct(nums.upper)}] (${xs.length} intervals)`
  if (side === 'above') return { ...nums, verdict: 'failed', reason: `latency ${what}: lower bound above the tolerated +${pct(cfg.toleratedRegression)}` }
  if (xs.length < cfg.minIntervals) return { ...nums, verdict: 'inconclusive', reason: `only ${xs.length} intervals (< ${cfg.minIntervals})` }
  if (side === 'below') return { ...nums, verdict: 'successful', reason: `latency ${what}: upper bound below the tolerated +${pct(cfg.toleratedRegression)}` }
  return exhaust({ ...nums, verdict: 'inconclusive', reason: `latency ${what} straddles the tolerated +${pct(cfg.toleratedRegression)}` }, cfg.maxIntervals, 'intervals')
}
