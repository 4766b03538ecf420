/**
 * The synthetic workload's statistical model (seed 003): per-request latency, time to first token
 * and token counts under three distributions, with seeded sampling and the exact CDFs the
 * Kolmogorov–Smirnov check compares against. Pure.
 *
 * Parameters, chosen to resemble an 8B–70B model behind vLLM on one GPU (peers §4, simulator):
 * | distribution      | latency ms                              | ttft ms                              | prompt / output tokens        |
 * | normal            | N(850, 150)                             | N(180, 30)                           | N(512, 96) / N(256, 48)        |
 * | lognormal         | LN(ln 700, 0.45)                        | LN(ln 150, 0.5)                      | LN(ln 400, .6) / LN(ln 200, .7)|
 * | production-mirror | .92·LN(ln 650, .35) + .08·LN(ln 2600, .45) | .92·LN(ln 140, .4) + .08·LN(ln 900, .6) | as lognormal             |
 * production-mirror's 8% slow mode stands for long generations and queueing behind them; its
 * arrivals follow a daily cycle (±60% around the mean rate, peak at 15:00 UTC).
 * Normal latencies are ≥ 5.6 σ above zero, so truncation never happens in practice.
 */
import normalCdf from '@stdlib/stats-base-dists-normal-cdf'
import { xoroshiro128plus, type RandomGenerator } from 'pure-rand'

/** The distributions `optiinfra generate --distribution` accepts. */
export const DISTRIBUTIONS = ['normal', 'lognormal', 'production-mirror'] as const
export type Distribution = (typeof DISTRIBUTIONS)[number]

/** A continuous law: a normal, a lognormal (of ln X), or a weighted mixture of lognormals. */
export type Law =
  | { kind: 'normal'; mu: number; sigma: number }
  | { kind: 'lognormal'; mu: number; sigma: number }
  | { kind: 'mixture'; parts: { weight: number; mu: number; sigma: number }[] }

/** The laws of one distribution's per-request quantities. */
export interface WorkloadModel { latencyMs: Law; ttftMs: Law; promptTokens: Law; outputTokens: Law; diurnalAmplitude: number }

const ln = Math.log
const lognormalTokens = { promptTokens: { kind: 'lognormal', mu: ln(400), sigma: 0.6 }, outputTokens: { kind: 'lognormal', mu: ln(200), sigma: 0.7 } } as const

/** Model per distribution (table above). */
export const MODELS: Record<Distribution, WorkloadModel> = {
  normal: {
    latencyMs: { kind: 'normal', mu: 850, sigma: 150 }, ttftMs: { kind: 'normal', mu: 180, sigma: 30 },
    promptTokens: { kind: 'normal', mu: 512, sigma: 96 }, outputTokens: { kind: 'normal', mu: 256, sigma: 48 }, diurnalAmplitude: 0,
  },
  lognormal: {
    latencyMs: { kind: 'lognormal', mu: ln(700), sigma: 0.45 }, ttftMs: { kind: 'lognormal', mu: ln(150), sigma: 0.5 },
    ...lognormalTokens, diurnalAmplitude: 0,
  },
  'production-mirror': {
    latencyMs: { kind: 'mixture', parts: [{ weight: 0.92, mu: ln(650), sigma: 0.35 }, { weight: 0.08, mu: ln(2600), sigma: 0.45 }] },
    ttftMs: { kind: 'mixture', parts: [{ weight: 0.92, mu: ln(140), sigma: 0.4 }, { weight: 0.08, mu: ln(900), sigma: 0.6 }] },
    ...lognormalTokens, diurnalAmplitude: 0.6,
  },
}

const TWO_POW_32 = 4_294_967_296

/** Seeded draws from pure-rand's xoroshiro128+; Box–Muller pairs are both used. */
export class Sampler {
  private readonly rng: RandomGenerator
  private spare = Number.NaN

  constructor(seed: number) { this.rng = xoroshiro128plus(seed) }

  /** Uniform in [0, 1) with 53 random bits. */
  uniform(): number {
    const hi = this.rng.unsafeNext() >>> 5
    const lo = this.rng.unsafeNext() >>> 6
    return (hi * 67_108_864 + lo) / 9_007_199_254_740_992
  }

  /** Uniform in [0, 1) with 32 bits: enough for choices and Bernoulli trials, twice as cheap. */
  fast(): number {
    return (this.rng.unsafeNext() >>> 0) / TWO_POW_32
  }

  /** Standard normal (Box–Muller, the second value of each pair kept for the next call). */
  normal(): number {
    if (!Number.isNaN(this.spare)) { const s = this.spare; this.spare = Number.NaN; return s }
    const u = 1 - this.uniform()
    const v = this.uniform()
    const r = Math.sqrt(-2 * Math.log(u))
    this.spare = r * Math.sin(2 * Math.PI * v)
    return r * Math.cos(2 * Math.PI * v)
  }

  /** A draw from `law`. */
  draw(law: Law): number {
    if (law.kind === 'normal') return law.mu + law.sigma * this.normal()
    if (law.kind === 'lognormal') return Math.exp(law.mu + law.sigma * this.normal())
    let u = this.fast()
    for (const p of law.parts) {
      if (u < p.weight) return Math.exp(p.mu + p.sigma * this.normal())
      u -= p.weight
    }
    const last = law.parts[law.parts.length - 1]!
    return Math.exp(last.mu + last.sigma * this.normal())
  }
}

/** Cumulative distribution function of `law` at x. */
export function cdf(law: Law, x: number): number {
  if (law.kind === 'normal') return normalCdf(x, law.mu, law.sigma)
  if (x <= 0) return 0
  if (law.kind === 'lognormal') return normalCdf(Math.log(x), law.mu, law.sigma)
  let sum = 0
  for (const p of law.parts) sum += p.weight * normalCdf(Math.log(x), p.mu, p.sigma)
  return sum
}
