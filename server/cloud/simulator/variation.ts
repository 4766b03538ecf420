/**
 * The twin's hidden per-deployment variation (issue 11 item 2): a deployment serves differently
 * from what it was registered with, as real fleets do. Its GPUs run at 85–115% of the spec sheet
 * (drivers, kernels, clocks, neighbours), its prompts and answers run 20% shorter to 25% longer
 * than declared, its traffic 20% lighter to 25% heavier, its day swings 15–45% around the mean
 * with the peak up to 4 hours from the declared hour, and half to 1.5× the declared share of its
 * prompt tokens is a prefix other requests share. Drawn per deployment from the
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
  /** The daily swing around the mean rate, replacing the declared one (absent in draws kept from before it existed). */
  dailyAmplitude?: number
  /** Hours the daily peak sits from the declared peak hour. */
  peakShiftHours?: number
  /** The shared-prefix share of prompt tokens relative to the declared one. */
  prefixScale?: number
}

/**
 * The ranges the draws span: efficiency, amplitude and peak shift linear, the scales log-uniform
 * (as likely 0.8× as 1.25×).
 */
export const VARIATION_RANGES = { efficiency: [0.85, 1.15], scale: [0.8, 1.25], dailyAmplitude: [0.15, 0.45], peakShiftHours: [-4, 4], prefixScale: [0.5, 1.5] } as const
/** A prefix share above this would leave no prompt to compute. */
const MAX_PREFIX_SHARE = 0.9

// one stream per deployment, each quantity its own bucket, so adding a quantity moves no other
const BUCKETS = { efficiency: 1, rate: 2, prompt: 3, output: 4, amplitude: 5, peak: 6, prefix: 7 } as const

function drawLinear(key: number, bucket: number, [lo, hi]: readonly [number, number]): number {
  return lo + uniform01(rngAt(key, bucket)) * (hi - lo)
}

function drawScale(key: number, bucket: number): number {
  const [lo, hi] = VARIATION_RANGES.scale
  return Math.exp(Math.log(lo) + uniform01(rngAt(key, bucket)) * (Math.log(hi) - Math.log(lo)))
}

/** The variation of one deployment under `seed`; the same inputs always give the same draw. */
export function variationOf(seed: number, customerId: string, deploymentId: string): HiddenVariation {
  const key = hashString(`variation|${seed}|${customerId}|${deploymentId}`)
  return {
    efficiency: drawLinear(key, BUCKETS.efficiency, VARIATION_RANGES.efficiency),
    rateScale: drawScale(key, BUCKETS.rate),
    promptScale: drawScale(key, BUCKETS.prompt),
    outputScale: drawScale(key, BUCKETS.output),
    dailyAmplitude: drawLinear(key, BUCKETS.amplitude, VARIATION_RANGES.dailyAmplitude),
    peakShiftHours: drawLinear(key, BUCKETS.peak, VARIATION_RANGES.peakShiftHours),
    prefixScale: drawLinear(key, BUCKETS.prefix, VARIATION_RANGES.prefixScale),
  }
}

/** The traffic a deployment really serves, given what it was registered with. */
export function trueTraffic(t: TrafficProfile, v: HiddenVariation): TrafficProfile {
  return {
    ...t,
    baseRps: t.baseRps * v.rateScale,
    promptTokensMean: t.promptTokensMean * v.promptScale,
    outputTokensMean: t.outputTokensMean * v.outputScale,
    dailyAmplitude: v.dailyAmplitude ?? t.dailyAmplitude,
    peakHourUtc: (((t.peakHourUtc + (v.peakShiftHours ?? 0)) % 24) + 24) % 24,
    prefixShare: Math.min(MAX_PREFIX_SHARE, t.prefixShare * (v.prefixScale ?? 1)),
  }
}
