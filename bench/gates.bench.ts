/**
 * Operating characteristics of the canary gates (issue 12 item 4), by seeded simulation: 1,000
 * simulated canaries per scenario, each looked at up to 50 times within the budget the sample-size
 * function computes. The reference, measured in the same run on the same A/A canaries, is the
 * previous gate: the fixed-α McNemar test (server/quality/paired.ts) re-run at every look.
 * Quality: per pair, discordance 4% when the canary is as good as stable (2% each way); a drop Δ
 * adds Δ to the stable-only pairs. Latency: per interval, 200 canary and 1,800 stable requests with
 * lognormal latency (σ 0.35); the gate sees the log ratio of the two empirical p95s.
 * Error rate: per interval, 200 canary and 1,800 stable requests erring independently; the gate's
 * ceiling is stable's measured rate + the default SLO's 0.1% budget. Its reference is a one-sided
 * binomial test of the canary's cumulative errors against the same ceiling, re-run at each look.
 */
import type { BenchResult } from './bench.ts'
import { Sampler } from '../server/generator/distributions.ts'
import { newBet, observe, rejected } from '../server/gates/betting.ts'
import { DEFAULT_QUALITY_GATE } from '../server/gates/quality.ts'
import { pairsNeeded } from '../server/gates/sample-size.ts'
import { DEFAULT_LATENCY_GATE, latencyClip, latencyLogRatio, toUnit } from '../server/gates/latency.ts'
import { DEFAULT_PAIRED, judgePaired, NO_PAIRS, addPair } from '../server/quality/paired.ts'
import { judgeErrors, newErrorGate, observeErrors } from '../server/gates/error-rate.ts'
import { binomialUpperTail } from '../server/rollouts/analysis.ts'
import { gateConfigs } from '../server/rollouts/bake.ts'
import { thresholdsFor } from '../server/rollouts/rollout.ts'

const RUNS = 1000
const LOOKS = 50
const BASE_DISCORDANCE = 0.04

type Outcome = 'failed' | 'successful' | 'inconclusive'

/** One simulated canary through the quality gate; `mcnemar` also re-tests the old rule at each look. */
function qualityCanary(rng: Sampler, drop: number, budget: number, withMcnemar: boolean): { gate: Outcome; mcnemarFailed: boolean } {
  const cfg = DEFAULT_QUALITY_GATE
  let bet = newBet((cfg.toleratedDrop + 1) / 2)
  let counts = NO_PAIRS
  let mcnemarFailed = false
  let gate: Outcome = 'inconclusive'
  const per = Math.ceil(budget / LOOKS)
  for (let i = 1; i <= budget; i++) {
    const u = rng.fast()
    const plus = u < BASE_DISCORDANCE / 2 + drop
    const minus = !plus && u < BASE_DISCORDANCE + drop
    bet = observe(bet, plus ? 1 : minus ? 0 : 0.5)
    if (withMcnemar) counts = addPair(counts, plus || !minus, !plus)
    if (i % per !== 0 && i !== budget) continue
    const side = rejected(bet, cfg.alpha)
    if (withMcnemar && !mcnemarFailed) mcnemarFailed = judgePaired(counts, { ...DEFAULT_PAIRED, maxDrop: cfg.toleratedDrop }).verdict === 'fail'
    // the first decision stands; the reference keeps looking over the whole budget
    if (gate === 'inconclusive') gate = side === 'above' ? 'failed' : side === 'below' && i >= cfg.minPairs ? 'successful' : 'inconclusive'
    if (gate !== 'inconclusive' && !withMcnemar) break
  }
  return { gate, mcnemarFailed }
}

function empiricalP95(rng: Sampler, n: number, factor: number): number {
  const xs = Array.from({ length: n }, () => factor * Math.exp(Math.log(400) + 0.35 * rng.normal())).sort((a, b) => a - b)
  return xs[Math.ceil(0.95 * n) - 1]!
}

function latencyCanary(rng: Sampler, factor: number): Outcome {
  const cfg = DEFAULT_LATENCY_GATE
  const clip = latencyClip(cfg)
  let bet = newBet(toUnit(Math.log(1 + cfg.toleratedRegression), clip))
  for (let look = 1; look <= LOOKS; look++) {
    bet = observe(bet, toUnit(latencyLogRatio(empiricalP95(rng, 200, factor), empiricalP95(rng, 1800, 1))!, clip))
    const side = rejected(bet, cfg.alpha)
    if (side === 'above') return 'failed'
    if (side === 'below' && look >= cfg.minIntervals) return 'successful'
  }
  return 'inconclusive'
}

/** Errors among n requests erring with probability p, by geometric jumps between errors (p is small). */
function binomial(rng: Sampler, n: number, p: number): number {
  const gap = () => Math.floor(Math.log(1 - rng.fast()) / Math.log(1 - p))
  let k = 0
  for (let i = gap(); i < n; i += 1 + gap()) k++
  return k
}

// the record a rollout judges a deployment without its own SLO by
const ERROR_GATE = gateConfigs([], thresholdsFor(null)).errors

/** One simulated canary through the error-rate gate, and whether the re-tested binomial reference fails it. */
function errorCanary(rng: Sampler, stableRate: number, canaryRate: number): { gate: boolean; reference: boolean } {
  let state = newErrorGate()
  let stable = { n: 0, k: 0 }
  let gate = false
  let reference = false
  for (let look = 1; look <= LOOKS && !(gate && reference); look++) {
    const kc = binomial(rng, 200, canaryRate)
    const ks = binomial(rng, 1800, stableRate)
    stable = { n: stable.n + 1800, k: stable.k + ks }
    state = observeErrors(state, 200, kc, ks / 1800, ERROR_GATE)
    gate ||= judgeErrors(state, null, ERROR_GATE).verdict === 'failed'
    reference ||= binomialUpperTail(state.errors, state.requests, Math.min(0.5, stable.k / stable.n + ERROR_GATE.tolerance)) < ERROR_GATE.alpha
  }
  return { gate, reference }
}

const share = (xs: boolean[]) => xs.filter(Boolean).length / xs.length

export async function run(): Promise<BenchResult[]> {
  const cfg = DEFAULT_QUALITY_GATE
  const budget = pairsNeeded({ toleratedDrop: cfg.toleratedDrop, discordance: BASE_DISCORDANCE, alpha: cfg.alpha })
  const rng = new Sampler(20_261_205)
  const aa = Array.from({ length: RUNS }, () => qualityCanary(rng, 0, budget, true))
  const d2 = Array.from({ length: RUNS }, () => qualityCanary(rng, 0.02, budget, false).gate)
  const d5 = Array.from({ length: RUNS }, () => qualityCanary(rng, 0.05, budget, false).gate)
  const latAA = Array.from({ length: RUNS }, () => latencyCanary(rng, 1))
  const lat10 = Array.from({ length: RUNS }, () => latencyCanary(rng, 1.1))
  const base = 0.0005
  const errAA = Array.from({ length: RUNS }, () => errorCanary(rng, base, base))
  const errEdge = Array.from({ length: RUNS }, () => errorCanary(rng, base, base + ERROR_GATE.tolerance))
  const err1pp = Array.from({ length: RUNS }, () => errorCanary(rng, base, base + 0.01))
  const latEdge = Array.from({ length: RUNS }, () => latencyCanary(rng, 1 + DEFAULT_LATENCY_GATE.toleratedRegression))
  const e = `${RUNS} canaries × up to ${LOOKS} intervals of 200 canary / 1,800 stable requests, stable ${base * 100}% errors, tolerance +${ERROR_GATE.tolerance * 100}%`
  const ref = (rs: { reference: boolean }[]) => `reference in the same run: one-sided binomial test re-run at each look fails ${(share(rs.map((r) => r.reference)) * 100).toFixed(1)}%`
  const mcnemar = share(aa.map((r) => r.mcnemarFailed))
  const q = `${RUNS} canaries × up to ${LOOKS} looks, budget ${budget} paired prompts (pairsNeeded at ${cfg.toleratedDrop * 100} pp tolerance, ${BASE_DISCORDANCE * 100}% discordance, α ${cfg.alpha})`
  const l = `${RUNS} canaries × up to ${LOOKS} intervals of 200 canary / 1,800 stable requests, tolerance +${DEFAULT_LATENCY_GATE.toleratedRegression * 100}%`
  return [
    { name: 'quality gate: false alarm rate (A/A)', value: share(aa.map((r) => r.gate === 'failed')), unit: 'share', target: cfg.alpha, better: 'lower', note: `${q}; reference in the same run: fixed-α McNemar re-tested at each look fails ${(mcnemar * 100).toFixed(1)}%; A/A passed ${(share(aa.map((r) => r.gate === 'successful')) * 100).toFixed(1)}%` },
    { name: 'quality gate: reference McNemar re-tested at each look, false alarm rate (A/A)', value: mcnemar, unit: 'share', target: null, better: 'lower', note: `${q}; old rule judgePaired(maxDrop = tolerance, α 0.05) at every look` },
    { name: 'quality gate: power at 2 pp drop', value: share(d2.map((g) => g === 'failed')), unit: 'share', target: 0.8, better: 'higher', note: `${q}; passed ${(share(d2.map((g) => g === 'successful')) * 100).toFixed(1)}%` },
    { name: 'quality gate: power at 5 pp drop', value: share(d5.map((g) => g === 'failed')), unit: 'share', target: 0.95, better: 'higher', note: `${q}; passed ${(share(d5.map((g) => g === 'successful')) * 100).toFixed(1)}%` },
    { name: 'latency gate: false alarm rate (A/A)', value: share(latAA.map((g) => g === 'failed')), unit: 'share', target: DEFAULT_LATENCY_GATE.alpha, better: 'lower', note: `${l}; A/A passed ${(share(latAA.map((g) => g === 'successful')) * 100).toFixed(1)}%` },
    { name: 'error-rate gate: false alarm rate (A/A)', value: share(errAA.map((r) => r.gate)), unit: 'share', target: ERROR_GATE.alpha, better: 'lower', note: `${e}; ${ref(errAA)}` },
    { name: 'error-rate gate: false alarm rate at the tolerance (canary = stable + 0.1%)', value: share(errEdge.map((r) => r.gate)), unit: 'share', target: ERROR_GATE.alpha, better: 'lower', note: `${e}; ${ref(errEdge)}` },
    { name: 'error-rate gate: power at stable + 1 pp', value: share(err1pp.map((r) => r.gate)), unit: 'share', target: 0.8, better: 'higher', note: `${e}; ${ref(err1pp)}` },
    { name: 'latency gate: power at 10% p95 regression', value: share(lat10.map((g) => g === 'failed')), unit: 'share', target: 0.8, better: 'higher', note: `${l}; passed ${(share(lat10.map((g) => g === 'successful')) * 100).toFixed(1)}%` },
    { name: 'latency gate: false alarm rate at the tolerance (canary p95 5% slower)', value: share(latEdge.map((g) => g === 'failed')), unit: 'share', target: DEFAULT_LATENCY_GATE.alpha, better: 'lower', note: `${l}; the clip at 4·ln(1 + tolerance) keeps a canary at the tolerance below α; passed ${(share(latEdge.map((g) => g === 'successful')) * 100).toFixed(1)}%` },
  ]
}
