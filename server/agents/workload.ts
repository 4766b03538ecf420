/**
 * The agents' own picture of a deployment (issue 11 item 2): the request rate and the prompt and
 * answer lengths it really serves, learned from its telemetry, and how fast its GPUs really run
 * against the public spec sheet, fitted so that the serving model reproduces the p95 telemetry
 * measured. The registration and the spec sheet are the prior, kept wherever telemetry cannot
 * speak. Nothing here reads the cloud's ground truth: only the fleet's signals. Pure.
 */
import { PREFIX_HIT_EFFICIENCY, trafficRpsAt, type TrafficProfile } from '../cloud/model/serving.ts'
import type { FleetDeployment } from '../cloud/provider.ts'
import type { HourlyRate, ObservedSignals } from './agent.ts'
import { fitDailyShape } from './daily-shape.ts'
import type { Workload } from './fleet.ts'

/** A traffic profile with the speed of the GPUs serving it (1: as the spec sheet says). */
export type ServedWorkload = Required<Workload>

/** Where each learned figure came from, for the recommendation's evidence. */
export interface WorkloadBasis {
  rate: 'telemetry' | 'registration'
  request_shape: 'telemetry' | 'registration'
  efficiency: 'telemetry' | 'spec sheet'
  /** The day's swing and peak hour: from a day of hourly rates, else the registration's. */
  daily_shape: 'telemetry' | 'registration'
  /** The shared-prefix share of prompts: from the prefix-cache hit rate while caching is on. */
  prefix_share: 'telemetry' | 'registration'
  /** The registration's figures beside the learned ones, so a reviewer sees what was corrected. */
  registered: { rps_now: number; prompt_tokens_mean: number; output_tokens_mean: number; daily_amplitude: number; peak_hour_utc: number; prefix_share: number }
}

/** The workload the agents reason with, and its basis. */
export interface LearnedWorkload { workload: ServedWorkload; basis: WorkloadBasis }

/**
 * A measured p95 within this ratio of the model's reported p95 is measurement noise (a window
 * mixes load levels, scrapes land unevenly): the spec sheet stands. Beyond it, the speed is fitted.
 */
export const EFFICIENCY_DEAD_BAND = 0.05
/** The fitted speed stays within these bounds (a GPU at half or twice its spec is a broken measurement). */
export const EFFICIENCY_BOUNDS = [0.5, 2] as const
const FIT_STEPS = 16

/** The p95 telemetry would report for the deployment's current group under a workload at a rate, per the serving model (Infinity: cannot serve). */
export type P95Model = (w: ServedWorkload, rps: number) => number

/**
 * The GPU speed at which the serving model's reported p95 at the observed rate equals the observed p95:
 * bisection on log-speed (p95 falls as speed rises). 1 inside the dead band or without a measure.
 */
export function fitEfficiency(p95At: P95Model, w: TrafficProfile, rps: number, observedP95: number | null): number {
  const atSpec = p95At({ ...w, efficiency: 1 }, rps)
  if (observedP95 === null || !(observedP95 > 0) || !Number.isFinite(atSpec)) return 1
  if (Math.abs(Math.log(observedP95 / atSpec)) <= Math.log(1 + EFFICIENCY_DEAD_BAND)) return 1
  let lo = Math.log(EFFICIENCY_BOUNDS[0])
  let hi = Math.log(EFFICIENCY_BOUNDS[1])
  for (let i = 0; i < FIT_STEPS; i++) {
    const mid = (lo + hi) / 2
    if (p95At({ ...w, efficiency: Math.exp(mid) }, rps) > observedP95) lo = mid
    else hi = mid
  }
  return Number(Math.exp((lo + hi) / 2).toFixed(4))
}

/** Tokens per request from token and request rates; null when the rates cannot say. */
function perRequest(tokensPerSec: number | null | undefined, rps: number): number | null {
  return tokensPerSec !== null && tokensPerSec !== undefined && tokensPerSec > 0 && rps > 0 ? tokensPerSec / rps : null
}

/** The shared-prefix share the prefix-cache hit rate implies (null while caching is off or unmeasured). */
function learnedPrefixShare(dep: FleetDeployment, observed: ObservedSignals | null): number | null {
  const hit = observed?.prefixCacheHitRate
  if (!dep.stable.config.enablePrefixCaching || dep.canary !== null || hit === null || hit === undefined || !(hit >= 0)) return null
  return Math.min(MAX_PREFIX_SHARE, hit / PREFIX_HIT_EFFICIENCY)
}

/** The most of a prompt a learned shared prefix may cover (the rest must still be computed). */
const MAX_PREFIX_SHARE = 0.95

/**
 * Learns a deployment's workload from its stable group's signals. The rate and the GPUs' speed
 * are learned only while no canary shares the traffic: the stable group then sees all of it, and
 * its latency is that load's. The daily shape (amplitude, peak hour) comes from a day of hourly
 * rates (`daily`) once telemetry covers one, else the registration's: a 15-minute window cannot
 * show a day.
 */
export function learnWorkload(dep: FleetDeployment, observed: ObservedSignals | null, now: string, p95At: P95Model, daily: HourlyRate[] = []): LearnedWorkload {
  const day = fitDailyShape(daily)
  const prefix = learnedPrefixShare(dep, observed)
  const declared: TrafficProfile = {
    ...dep.traffic,
    ...(day ? { dailyAmplitude: day.dailyAmplitude, peakHourUtc: day.peakHourUtc } : {}),
    ...(prefix !== null ? { prefixShare: prefix } : {}),
  }
  const dayFactor = trafficRpsAt({ ...declared, baseRps: 1 }, new Date(now))
  const observedRps = observed?.throughputRps ?? null
  const alone = dep.canary === null
  const rateKnown = alone && observedRps !== null && observedRps > 0 && dayFactor > 0
  const rps = rateKnown ? observedRps : declared.baseRps * dayFactor
  const prompt = perRequest(observed?.promptTokensPerSec, observedRps ?? 0)
  const output = perRequest(observed?.generationTokensPerSec, observedRps ?? 0)
  const shapeKnown = prompt !== null && output !== null
  const traffic: TrafficProfile = {
    ...declared,
    baseRps: rateKnown ? observedRps / dayFactor : declared.baseRps,
    promptTokensMean: shapeKnown ? prompt : declared.promptTokensMean,
    outputTokensMean: shapeKnown ? output : declared.outputTokensMean,
  }
  const efficiency = observed && alone ? fitEfficiency(p95At, traffic, rps, observed.p95LatencyMs) : 1
  const learned = { rate: rateKnown, shape: shapeKnown, efficiency: efficiency !== 1, day: day !== null, prefix: prefix !== null }
  return { workload: { ...traffic, efficiency }, basis: basisOf(dep.traffic, learned, now) }
}

/** Which figures telemetry taught, beside the registration's. */
function basisOf(registered: TrafficProfile, learned: Record<'rate' | 'shape' | 'efficiency' | 'day' | 'prefix', boolean>, now: string): WorkloadBasis {
  const from = (yes: boolean) => (yes ? 'telemetry' : 'registration')
  return {
    rate: from(learned.rate), request_shape: from(learned.shape), efficiency: learned.efficiency ? 'telemetry' : 'spec sheet',
    daily_shape: from(learned.day), prefix_share: from(learned.prefix),
    registered: {
      rps_now: trafficRpsAt(registered, new Date(now)), prompt_tokens_mean: registered.promptTokensMean, output_tokens_mean: registered.outputTokensMean,
      daily_amplitude: registered.dailyAmplitude, peak_hour_utc: registered.peakHourUtc, prefix_share: registered.prefixShare,
    },
  }
}
