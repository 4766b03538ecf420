/**
 * Paired quality comparison of a canary against stable: the SAME evaluation prompts go to both
 * groups, each answer is scored against its reference, and the verdict comes from the discordant
 * pairs (McNemar), not from two unpaired accuracies — on the same data a paired test detects a
 * drop an unpaired z-test misses (peers §5.1: p = 0.008 vs 0.080). Small samples give an explicit
 * `inconclusive`, so the rollout extends its bake instead of guessing.
 */

import { isRefusal } from './refusal.ts'
import { pairOutcome } from '../gates/quality.ts'

/** Tally of paired outcomes. `stable_only` = stable right, canary wrong (the drops). */
export interface PairCounts { n: number; both: number; stable_only: number; canary_only: number; neither: number }

/** No pairs yet. */
export const NO_PAIRS: PairCounts = { n: 0, both: 0, stable_only: 0, canary_only: 0, neither: 0 }

/** Adds one pair's outcome. */
export function addPair(c: PairCounts, stableCorrect: boolean, canaryCorrect: boolean): PairCounts {
  const key = stableCorrect ? (canaryCorrect ? 'both' : 'stable_only') : (canaryCorrect ? 'canary_only' : 'neither')
  return { ...c, n: c.n + 1, [key]: c[key] + 1 }
}

/** Sums two tallies (pairs accumulate across bake intervals and extensions). */
export function mergePairs(a: PairCounts, b: PairCounts): PairCounts {
  return { n: a.n + b.n, both: a.both + b.both, stable_only: a.stable_only + b.stable_only, canary_only: a.canary_only + b.canary_only, neither: a.neither + b.neither }
}

function logChoose(n: number, k: number): number {
  return lgamma(n + 1) - lgamma(k + 1) - lgamma(n - k + 1)
}

// Lanczos approximation (g = 7, n = 9): accurate to ~1e-15 for the arguments used here.
const LANCZOS = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7]
function lgamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lgamma(1 - x)
  const z = x - 1
  let a = LANCZOS[0]!
  const t = z + 7.5
  for (let i = 1; i < 9; i++) a += LANCZOS[i]! / (z + i)
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a)
}

/**
 * Exact one-sided McNemar test for "the canary is worse": P(X ≥ b) with X ~ Bin(b + c, ½), where
 * b = stable-only and c = canary-only correct pairs. 1 when there are no discordant pairs.
 */
export function mcnemarOneSidedP(b: number, c: number): number {
  const n = b + c
  if (n === 0 || b === 0) return 1
  let p = 0
  for (let i = b; i <= n; i++) p += Math.exp(logChoose(n, i) - n * Math.LN2)
  return Math.min(1, p)
}

/** Decision rule. `maxDrop` in accuracy points (0.05 = 5 pp). */
export interface PairedOptions { maxDrop: number; alpha: number; minPairs: number; z: number }

/** Defaults: fail on a significant drop of more than 5 pp; 95% one-sided bound for a pass; ≥ 30 pairs. */
export const DEFAULT_PAIRED: PairedOptions = { maxDrop: 0.05, alpha: 0.05, minPairs: 30, z: 1.645 }

/** The verdict, with the numbers behind it. */
export interface PairedVerdict {
  verdict: 'pass' | 'fail' | 'inconclusive'
  n: number
  stable_accuracy: number | null
  canary_accuracy: number | null
  /** stable − canary accuracy (positive = the canary is worse). */
  drop: number | null
  /** One-sided upper confidence bound of the drop. */
  drop_upper: number | null
  p_value: number | null
  discordant: number
  reason: string
}

/**
 * Judges a tally: `fail` when the drop exceeds `maxDrop` and McNemar says it is significant;
 * `pass` when the upper bound of the drop is below `maxDrop` (non-inferiority); otherwise, or with
 * fewer than `minPairs` pairs, `inconclusive`. The bound uses a smoothed discordance rate ((d + 2) / (n + 4), Agresti–Coull style),
 * so zero discordant pairs in a small sample are not taken as proof of no change.
 */
export function judgePaired(c: PairCounts, o: PairedOptions = DEFAULT_PAIRED): PairedVerdict {
  const discordant = c.stable_only + c.canary_only
  if (c.n === 0) return { verdict: 'inconclusive', n: 0, stable_accuracy: null, canary_accuracy: null, drop: null, drop_upper: null, p_value: null, discordant, reason: 'no paired answers yet' }
  const stableAcc = (c.both + c.stable_only) / c.n
  const canaryAcc = (c.both + c.canary_only) / c.n
  const drop = (c.stable_only - c.canary_only) / c.n
  const disc = (discordant + 2) / (c.n + 4)
  const upper = drop + o.z * Math.sqrt(Math.max(0, disc - drop * drop) / c.n)
  const p = mcnemarOneSidedP(c.stable_only, c.canary_only)
  const nums = { n: c.n, stable_accuracy: stableAcc, canary_accuracy: canaryAcc, drop, drop_upper: upper, p_value: p, discordant }
  const pp = (x: number) => `${(x * 100).toFixed(1)} pp`
  if (drop > o.maxDrop && p < o.alpha) return { ...nums, verdict: 'fail', reason: `quality drop ${pp(drop)} > ${pp(o.maxDrop)}, significant (McNemar p=${p.toPrecision(2)}, n=${c.n})` }
  if (c.n < o.minPairs) return { ...nums, verdict: 'inconclusive', reason: `only ${c.n} pairs (< ${o.minPairs})` }
  if (upper < o.maxDrop) return { ...nums, verdict: 'pass', reason: `drop ${pp(drop)}, upper bound ${pp(upper)} < ${pp(o.maxDrop)} (n=${c.n})` }
  return { ...nums, verdict: 'inconclusive', reason: `drop ${pp(drop)} not conclusive: upper bound ${pp(upper)} ≥ ${pp(o.maxDrop)}, p=${p.toPrecision(2)} (n=${c.n})` }
}

/** Asks one group one prompt; resolves to the answer text, or rejects on a transport/HTTP error. */
export type AskFn<I> = (group: 'stable' | 'canary', item: I) => Promise<string>

/**
 * Sends each item to both groups (in parallel per pair) and tallies the scored outcomes. A group
 * that refused a prompt for overload (refusal.ts) answered it wrongly; a pair where either side
 * failed otherwise is not counted (that is an error-rate signal, not quality); failures are
 * returned so the caller can count them, refusals per group.
 */
export async function collectPairs<I>(items: I[], ask: AskFn<I>, isCorrect: (item: I, text: string) => boolean): Promise<{ counts: PairCounts; outcomes: string; failures: number; lastError: string | null; refused: { stable: number; canary: number } }> {
  let counts = NO_PAIRS
  let outcomes = ''
  let failures = 0
  let lastError: string | null = null
  const refused = { stable: 0, canary: 0 }
  // a refusal is a wrong answer; any other failure rejects the pair
  const answer = async (group: 'stable' | 'canary', item: I): Promise<{ correct: boolean; refused: boolean }> => {
    try {
      return { correct: isCorrect(item, await ask(group, item)), refused: false }
    } catch (err) {
      if (!isRefusal(err)) throw err
      return { correct: false, refused: true }
    }
  }
  const results = await Promise.allSettled(items.map((item) => Promise.all([answer('stable', item), answer('canary', item)])))
  for (const r of results) {
    if (r.status === 'rejected') { failures++; lastError = r.reason instanceof Error ? r.reason.message : String(r.reason); continue }
    const [s, c] = r.value
    counts = addPair(counts, s.correct, c.correct)
    outcomes += pairOutcome(s.correct, c.correct)
    refused.stable += Number(s.refused)
    refused.canary += Number(c.refused)
  }
  return { counts, outcomes, failures, lastError, refused }
}
