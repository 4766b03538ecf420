/**
 * The twin's hidden per-deployment variation (issue 11 item 2): a deployment serves differently
 * from what it was registered with, as real fleets do. Its GPUs run at 85–115% of the spec sheet
 * (drivers, kernels, clocks, neighbours), its prompts and answers run 20% shorter to 25% longer
 * than declared, and its traffic 20% lighter to 25% heavier. Drawn per deployment from the
 * simulator's seed; only the serving view applies it, and nothing outside the simulator reads it:
 * the agents learn it from telemetry (server/agents/workload). Pure.
 */
import { hashString, rngAt, uniform01 } from '../model/rng.ts'
import type { TrafficProfile } from '../model/serving.ts'

/** How a deployment really differs from its registration. */
export interface HiddenVariation {
  /** GPU speed relative to the spec sheet (GroupLoad.efficiency). */
  efficiency: number
  rateScale: number
  promptScale: number
  outputScale: number
}

/** The ranges the draws span: efficiency linear, the scales log-uniform (as likely 0.8× as 1.25×). */
export const VARIATION_RANGES = { efficiency: [0.85, 1.15], scale: [0.8, 1.25] } as const

// one stream per deployment, each quantity its own bucket, so adding a quantity moves no other
const BUCKETS = { efficiency: 1, rate: 2, prompt: 3, output: 4 } as const

function drawScale(key: number, bucket: number): number {
  const [lo, hi] = VARIATION_RANGES.scale
  return Math.exp(Math.log(lo) + uniform01(rngAt(key, bucket)) * (Math.log(hi) - Math.log(lo)))
}

/** The variation of one deployment under `seed`; the same inputs always give the same draw. */
export function variationOf(seed: number, customerId: string, deploymentId: string): HiddenVariation {
  const key = hashString(`variation|${seed}|${customerId}|${deploymentId}`)
  const [lo, hi] = VARIATION_RANGES.efficiency
  return {
    efficiency: lo + uniform01(rngAt(key, BUCKETS.efficiency)) * (hi - lo),
    rateScale: drawScale(key, BUCKETS.rate),
    promptScale: drawScale(key, BUCKETS.prompt),
    outputScale: drawScale(key, BUCKETS.output),
  }
}

/** The traffic a deployment really serves, given what it was registered with. */
export function trueTraffic(t: TrafficProfile, v: HiddenVariation): TrafficProfile {
  return {
    ...t,
    baseRps: t.baseRps * v.rateScale,
    promptTokensMean: t.promptTokensMean * v.promptScale,
    outputTokensMean: t.outputTokensMean * v.outputScale,
  }
}
