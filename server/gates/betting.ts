/**
 * Testing by betting (Waudby-Smith & Ramdas, "Estimating means of bounded random variables by
 * betting", JRSS-B 2023): observations x ∈ [0, 1] arrive one at a time; to test "the mean is m"
 * a gambler bets a predictable fraction λ of her wealth on each x − m. Her wealth is a
 * nonnegative supermartingale under the null, so by Ville's inequality it ever reaches 1/α with
 * probability at most α — however often anyone looks. Two one-sided gamblers are kept: `up`
 * bets the mean is above m (K⁺ = ∏ 1 + λ(x − m)), `down` that it is below (K⁻ = ∏ 1 − λ(x − m)).
 * The bet is aGRAPA (the paper's approximate growth-rate-adaptive plug-in, §5.2 and App. B):
 * λ = (μ̂ − m) / (σ̂² + (μ̂ − m)²) from the previous observations only, truncated to
 * [0, c/m] (up) or [0, c/(1 − m)] (down), so wealth stays positive. The confidence sequence
 * is the set of m neither gambler rejects.
 * Pure, no I/O.
 */

/** One gambler pair's state at a fixed null mean m (a few numbers, so it can be stored and resumed). */
export interface BetState {
  m: number
  t: number
  sum: number
  /** Σ (x − μ̂ before x)², the predictable variance estimate's numerator. */
  sq: number
  /** log K⁺ and its running maximum (evidence the mean is above m). */
  logUp: number
  maxUp: number
  /** log K⁻ and its running maximum (evidence the mean is below m). */
  logDown: number
  maxDown: number
}

/** Truncation of the bet (the paper uses c = 1/2 or 3/4). */
export const BET_TRUNCATION = 0.75

/** A fresh pair of gamblers at null mean `m` ∈ (0, 1). */
export function newBet(m: number): BetState {
  return { m, t: 0, sum: 0, sq: 0, logUp: 0, maxUp: 0, logDown: 0, maxDown: 0 }
}

/** The predictable estimates before the next observation (the paper's regularised μ̂ and σ̂², prior ½ and ¼). */
function estimates(s: BetState): { mu: number; v: number } {
  return { mu: (0.5 + s.sum) / (s.t + 1), v: (0.25 + s.sq) / (s.t + 1) }
}

/** The two bets placed on the next observation. */
export function nextBets(s: BetState, c = BET_TRUNCATION): { up: number; down: number } {
  const { mu, v } = estimates(s)
  const g = (mu - s.m) / (v + (mu - s.m) ** 2)
  return { up: Math.min(Math.max(g, 0), c / s.m), down: Math.min(Math.max(-g, 0), c / (1 - s.m)) }
}

/** The state after observing x ∈ [0, 1]. */
export function observe(s: BetState, x: number, c = BET_TRUNCATION): BetState {
  const { up, down } = nextBets(s, c)
  const { mu } = estimates(s)
  const logUp = s.logUp + Math.log1p(up * (x - s.m))
  const logDown = s.logDown + Math.log1p(-down * (x - s.m))
  return {
    m: s.m, t: s.t + 1, sum: s.sum + x, sq: s.sq + (x - mu) ** 2,
    logUp, maxUp: Math.max(s.maxUp, logUp), logDown, maxDown: Math.max(s.maxDown, logDown),
  }
}

/** Observes a whole sequence. */
export function observeAll(s: BetState, xs: readonly number[], c = BET_TRUNCATION): BetState {
  let r = s
  for (const x of xs) r = observe(r, x, c)
  return r
}

/** Which side, if any, has rejected m at level α (one-sided each): 'above' = the mean is above m. */
export function rejected(s: BetState, alpha: number): 'above' | 'below' | null {
  const bar = Math.log(1 / alpha)
  if (s.maxUp >= bar) return 'above'
  if (s.maxDown >= bar) return 'below'
  return null
}

/** Lower and upper bounds of the mean at level α each side (a 1 − 2α two-sided confidence sequence). */
export interface Bounds { lower: number; upper: number }

/**
 * The confidence sequence after `xs`: the lower bound is the largest m the `up` gambler rejects,
 * the upper bound the smallest m the `down` gambler rejects (running maxima, so each bound holds
 * at every time up to now), found by bisection to 1e-5 — the set of unrejected m is an interval
 * (Prop. 4 of the paper for the hedged process; checked by the tests here).
 */
export function confidenceSequence(xs: readonly number[], alpha: number, c = BET_TRUNCATION): Bounds {
  const bar = Math.log(1 / alpha)
  const upRejects = (m: number) => observeAll(newBet(m), xs, c).maxUp >= bar
  const downRejects = (m: number) => observeAll(newBet(m), xs, c).maxDown >= bar
  const mean = xs.length === 0 ? 0.5 : xs.reduce((a, b) => a + b, 0) / xs.length
  return { lower: boundary(upRejects, 1e-9, mean, true), upper: boundary(downRejects, mean, 1 - 1e-9, false) }
}

/** Bisection for the edge between rejected and not-rejected m on [lo, hi]. */
function boundary(rejects: (m: number) => boolean, lo: number, hi: number, rejectedBelow: boolean): number {
  if (rejectedBelow ? !rejects(lo) : !rejects(hi)) return rejectedBelow ? 0 : 1
  let a = lo
  let b = hi
  while (b - a > 1e-5) {
    const mid = (a + b) / 2
    if (rejects(mid) === rejectedBelow) a = mid
    else b = mid
  }
  return rejectedBelow ? a : b
}
