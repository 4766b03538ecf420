/**
 * The paired quality gate: the same evaluation prompts go to stable and canary; each pair gives
 * d = stable_correct − canary_correct ∈ {−1, 0, 1}, whose mean is the canary's accuracy drop. A
 * betting confidence sequence (server/gates/betting.ts, Waudby-Smith & Ramdas 2023) on
 * x = (d + 1)/2 bounds the drop at every look: failed when its lower bound exceeds the tolerated
 * drop, successful when its upper bound is below it (after a minimum of pairs), else
 * inconclusive. Looking after every interval and extending the bake keeps each error at α.
 */
import { confidenceSequence, newBet, observeAll, rejected } from './betting.ts'
import { exhaust, pct, type GateLook } from './gate.ts'
import { pairsNeeded } from './sample-size.ts'

/** The quality gate's record: tolerance, level, minimum pairs and the discordance it plans for. */
export interface QualityGateConfig {
  /** Tolerated accuracy drop (0.01 = 1 pp). */
  toleratedDrop: number
  alpha: number
  minPairs: number
  /** Planning discordance (share of pairs where exactly one group is right) for the sample size. */
  plannedDiscordance: number
  /** Pairs after which an inconclusive gate stops asking for more (a human decides); absent: no bound. */
  maxPairs?: number
}

/** Defaults: 1 pp tolerance (issue 12 item 5), α = 0.05, ≥ 30 pairs, 4% discordant pairs planned. */
export const DEFAULT_QUALITY_GATE: QualityGateConfig = { toleratedDrop: 0.01, alpha: 0.05, minPairs: 30, plannedDiscordance: 0.04 }

/** Paired outcomes as a compact string (one character per pair, '+' = stable only right, '-' = canary only, '0' = agree). */
export type PairOutcomes = string

/** The character of one pair. */
export function pairOutcome(stableCorrect: boolean, canaryCorrect: boolean): '+' | '-' | '0' {
  return stableCorrect === canaryCorrect ? '0' : stableCorrect ? '+' : '-'
}

/** The bounded observations x = (d + 1)/2 of a string of outcomes. */
export function toObservations(o: PairOutcomes): number[] {
  return [...o].map((ch) => (ch === '+' ? 1 : ch === '-' ? 0 : 0.5))
}

/** Pairs needed for 80% power at this gate's tolerance, with the discordance observed so far when there is enough data. */
export function qualityPairsNeeded(o: PairOutcomes, cfg: QualityGateConfig): number {
  // with enough pairs, the observed discordance (at least one pair's worth: none seen is not none there)
  const discordance = o.length >= cfg.minPairs ? Math.max([...o].filter((ch) => ch !== '0').length, 1) / o.length : cfg.plannedDiscordance
  return pairsNeeded({ toleratedDrop: cfg.toleratedDrop, discordance, alpha: cfg.alpha })
}

/** The gate's look after these outcomes. */
export function judgeQuality(o: PairOutcomes, cfg: QualityGateConfig = DEFAULT_QUALITY_GATE): GateLook {
  const base = { gate: 'quality' as const, method: 'betting confidence sequence (aGRAPA), paired', n: o.length, threshold: cfg.toleratedDrop, alpha: cfg.alpha, needs: qualityPairsNeeded(o, cfg) }
  if (o.length === 0) return { ...base, estimate: null, lower: null, upper: null, verdict: 'inconclusive', reason: 'no paired answers yet' }
  const xs = toObservations(o)
  const estimate = xs.reduce((a, x) => a + 2 * x - 1, 0) / xs.length
  const cs = confidenceSequence(xs, cfg.alpha)
  const nums = { ...base, estimate, lower: 2 * cs.lower - 1, upper: 2 * cs.upper - 1 }
  const side = rejected(observeAll(newBet((cfg.toleratedDrop + 1) / 2), xs), cfg.alpha)
  const what = `drop ${pct(estimate)} in [${pct(nums.lower)}, ${pct(nums.upper)}] (n=${o.length})`
  if (side === 'above') return { ...nums, verdict: 'failed', reason: `quality regression: ${what}: lower bound above the tolerated ${pct(cfg.toleratedDrop)}` }
  if (o.length < cfg.minPairs) return { ...nums, verdict: 'inconclusive', reason: `only ${o.length} pairs (< ${cfg.minPairs})` }
  if (side === 'below') return { ...nums, verdict: 'successful', reason: `quality ${what}: upper bound below the tolerated ${pct(cfg.toleratedDrop)}` }
  const open = { ...nums, verdict: 'inconclusive' as const, reason: `quality ${what} straddles the tolerated ${pct(cfg.toleratedDrop)}; needs ~${base.needs} pairs` }
  return exhaust(open, cfg.maxPairs, 'pairs')
}
