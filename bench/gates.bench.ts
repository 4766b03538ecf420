/**
 * Operating characteristics of the canary gates (issue 12 item 4), by seeded simulation: 1,000
 * simulated canaries per scenario, each looked at up to 50 times within the budget the sample-size
 * function computes. The reference, measured in the same run on the same A/A canaries, is the
 * previous gate: the fixed-α McNemar test (server/quality/paired.ts) re-run at every look.
 * Quality: per pair, discordance 4% when the canary is as good as stable (2% each way); a drop Δ
 * adds Δ to the stable-only pairs. Latency: per interval, 200 canary and 1,800 stable requests with
 * lognormal latency (σ 0.35); the gate sees the log ratio of the two empirical p95s.
 */
import type { BenchResult } from './bench.ts'
import { Sampler } from '../server/generator/distributions.ts'
import { newBet, observe, rejected } from '../server/gates/betting.ts'
import { DEFAULT_QUALITY_GATE } from '../server/gates/quality.ts'
import { pairsNeeded } from '../server/gates/sample-size.ts'
import { DEFAULT_LATENCY_GATE, latencyObservation } from '../server/gates/latency.ts'
import { DEFAULT_PAIRED, judgePaired, NO_PAIRS, addPair } from '../server/quality/paired.ts'

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
  let bet = newBet(latencyObservation(1 + cfg.toleratedRegression, 1)!)
  for (let look = 1; look <= LOOKS; look++) {
    bet = observe(bet, latencyObservation(empiricalP95(rng, 200, factor), empiricalP95(rng, 1800, 1))!)
    const side = rejected(bet, cfg.alpha)
    if (side === 'above') return 'failed'
    if (side === 'below' && look >= cfg.minIntervals) return 'successful'
  }
  return 'inconclusive'
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
  const mcnemar = share(aa.map((r) => r.mcnemarFailed))
  const q = `${RUNS} canaries × up to ${LOOKS} looks, budget ${budget} paired prompts (pairsNeeded at ${cfg.toleratedDrop * 100} pp tolerance, ${BASE_DISCORDANCE * 100}% discordance, α ${cfg.alpha})`
  const l = `${RUNS} canaries × up to ${LOOKS} intervals of 200 canary / 1,800 stable requests, tolerance +${DEFAULT_LATENCY_GATE.toleratedRegression * 100}%`
  return [
    { name: 'quality gate: false alarm rate (A/A)', value: share(aa.map((r) => r.gate === 'failed')), unit: 'share', target: cfg.alpha, better: 'lower', note: `${q}; reference in the same run: fixed-α McNemar re-tested at each look fails ${(mcnemar * 100).toFixed(1)}%; A/A passed ${(share(aa.map((r) => r.gate === 'successful')) * 100).toFixed(1)}%` },
    { name: 'quality gate: reference McNemar re-tested at each look, false alarm rate (A/A)', value: mcnemar, unit: 'share', target: null, better: 'lower', note: `${q}; old rule judgePaired(maxDrop = tolerance, α 0.05) at every look` },
    { name: 'quality gate: power at 2 pp drop', value: share(d2.map((g) => g === 'failed')), unit: 'share', target: 0.8, better: 'higher', note: `${q}; passed ${(share(d2.map((g) => g === 'successful')) * 100).toFixed(1)}%` },
    { name: 'quality gate: power at 5 pp drop', value: share(d5.map((g) => g === 'failed')), unit: 'share', target: 0.95, better: 'higher', note: `${q}; passed ${(share(d5.map((g) => g === 'successful')) * 100).toFixed(1)}%` },
    { name: 'latency gate: false alarm rate (A/A)', value: share(latAA.map((g) => g === 'failed')), unit: 'share', target: DEFAULT_LATENCY_GATE.alpha, better: 'lower', note: `${l}; A/A passed ${(share(latAA.map((g) => g === 'successful')) * 100).toFixed(1)}%` },
    { name: 'latency gate: power at 10% p95 regression', value: share(lat10.map((g) => g === 'failed')), unit: 'share', target: 0.8, better: 'higher', note: `${l}; passed ${(share(lat10.map((g) => g === 'successful')) * 100).toFixed(1)}%` },
  ]
}
