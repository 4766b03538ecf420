/**
 * Sample size from power for a betting gate. A bet of the growth-optimal size on observations with
 * mean Δ away from the threshold and standard deviation σ grows log-wealth by about Δ²/(2σ²) per
 * observation, with spread Δ/σ·√n after n. Learning the bet from the data costs, like the normal
 * mixture boundary of Howard et al. ("Time-uniform, nonparametric, nonasymptotic confidence
 * sequences", Ann. Stat. 2021, eq. (14)), about ½·ln(1 + nΔ²/σ²) of log-wealth. Power 1 − β at n
 * therefore needs s = Δ√n/σ with s²/2 − z₁₋β·s ≥ ln(1/α) + ½·ln(1 + s²). Pure.
 */

/** Standard normal quantile (Acklam's rational approximation, relative error < 1.2e-9). */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`quantile of ${p}`)
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239]
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572]
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783]
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416]
  const tail = (q: number) => (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1)
  if (p < 0.02425) return tail(Math.sqrt(-2 * Math.log(p)))
  if (p > 1 - 0.02425) return -tail(Math.sqrt(-2 * Math.log(1 - p)))
  const q = p - 0.5
  const r = q * q
  return ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1)
}

/** The standardised distance s = Δ√n/σ a betting test at level α needs for `power`. */
export function requiredStandardisedEffect(alpha: number, power: number): number {
  const z = normalQuantile(power)
  let s = z + Math.sqrt(z * z + 2 * Math.log(1 / alpha))
  for (let i = 0; i < 50; i++) s = z + Math.sqrt(z * z + 2 * (Math.log(1 / alpha) + 0.5 * Math.log(1 + s * s)))
  return s
}

/** Observations needed to tell a mean `distance` away from the threshold, with per-observation variance `variance`. */
export function samplesNeeded(distance: number, variance: number, alpha: number, power = 0.8): number {
  if (!(distance > 0)) throw new RangeError(`distance must be > 0, got ${distance}`)
  const s = requiredStandardisedEffect(alpha, power)
  return Math.ceil((s * s * Math.max(variance, 1e-12)) / (distance * distance))
}

/** Inputs of the paired quality gate's sample size. */
export interface PairedPlan {
  /** Tolerated accuracy drop (0.01 = 1 pp). */
  toleratedDrop: number
  /** Expected share of discordant pairs when the canary is as good as stable (one answers right, the other wrong). */
  discordance: number
  alpha: number
  power?: number
}

/**
 * Paired prompts the quality gate needs for `power` at its tolerance, both ways: to pass a canary
 * with no drop (UB < tolerance) and to fail one whose drop is twice the tolerance (LB >
 * tolerance). Per pair d = stable_correct − canary_correct; a drop Δ adds Δ to the stable-only
 * pairs, so Var(d) = q + Δ − Δ² with q the discordance at no drop.
 */
export function pairsNeeded(p: PairedPlan): number {
  const power = p.power ?? 0.8
  const pass = samplesNeeded(p.toleratedDrop, p.discordance, p.alpha, power)
  const bad = 2 * p.toleratedDrop
  const fail = samplesNeeded(p.toleratedDrop, p.discordance + bad - bad * bad, p.alpha, power)
  return Math.max(pass, fail)
}
