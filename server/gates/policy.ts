/**
 * A deployment's canary gates as data (issue 12 item 2): for each gate the metric, how the canary
 * is compared with stable, the tolerated regression, α and the minimum and maximum samples. The
 * decision and the portal read the same record: the rollout snapshots it when the canary starts,
 * each look carries its threshold and α, and the gates page shows it. Defaults come from the
 * deployment's SLO (the error budget) and the gates' own defaults; the customer may declare each.
 * Pure.
 */
import { DEFAULT_QUALITY_GATE, qualityPairsNeeded, type QualityGateConfig } from './quality.ts'
import { DEFAULT_LATENCY_GATE, latencyIntervalsNeeded, type LatencyGateConfig } from './latency.ts'
import { errorRequestsNeeded, type ErrorGateConfig } from './error-rate.ts'
import type { GateLook } from './gate.ts'

/** The gates, in the order every view lists them. */
export const GATE_NAMES = ['quality', 'error_rate', 'latency_p95'] as const
export type GateName = (typeof GATE_NAMES)[number] & GateLook['gate']

/** What each gate measures, how it compares, what one sample is, and the bounds a declaration must respect. */
export const GATE_DEFINITIONS: Record<GateName, { metric: string; comparison: string; unit: string; maxTolerance: number }> = {
  quality: { metric: 'answer accuracy on paired evaluation prompts', comparison: 'stable − canary accuracy ≤ tolerance', unit: 'pairs', maxTolerance: 0.5 },
  error_rate: { metric: 'error rate of canary requests', comparison: 'canary rate ≤ stable rate + tolerance', unit: 'requests', maxTolerance: 0.5 },
  latency_p95: { metric: 'p95 end-to-end latency per interval', comparison: 'canary p95 / stable p95 − 1 ≤ tolerance', unit: 'intervals', maxTolerance: 1 },
}

/** The declarable part of a gate. */
export interface GateSpec { tolerance: number; alpha: number; min_samples: number; max_samples: number }

/** A gate's record as the API and the rollout carry it. */
export interface GatePolicy extends GateSpec {
  gate: GateName
  metric: string
  comparison: string
  unit: string
  /** 'declared' by the customer, or the 'default' derived from the SLO and the gate's defaults. */
  source: 'declared' | 'default'
  updated_at: string | null
}

/** What the defaults derive from: the deployment's error budget and the SLO rule's minimum of requests. */
export interface GateDefaultsInput { errorBudget: number; minRequests: number }

/** Upper bounds on the maximum of samples: a bake can never carry more. */
export const MAX_SAMPLES_CEILING = 10_000_000
/** Default maxima: the quality gate's prompts per step, requests, and intervals (a bake's extensions stay below). */
const DEFAULT_MAX = { quality: 1_000, error_rate: 1_000_000, latency_p95: 60 } as const

/** The default spec of each gate. */
export function defaultSpecs(i: GateDefaultsInput): Record<GateName, GateSpec> {
  return {
    quality: { tolerance: DEFAULT_QUALITY_GATE.toleratedDrop, alpha: DEFAULT_QUALITY_GATE.alpha, min_samples: DEFAULT_QUALITY_GATE.minPairs, max_samples: DEFAULT_MAX.quality },
    error_rate: { tolerance: i.errorBudget, alpha: DEFAULT_QUALITY_GATE.alpha, min_samples: i.minRequests, max_samples: DEFAULT_MAX.error_rate },
    latency_p95: { tolerance: DEFAULT_LATENCY_GATE.toleratedRegression, alpha: DEFAULT_LATENCY_GATE.alpha, min_samples: DEFAULT_LATENCY_GATE.minIntervals, max_samples: DEFAULT_MAX.latency_p95 },
  }
}

/** Every gate's record: the declared ones, the defaults for the rest. */
export function policiesOf(declared: Map<GateName, { spec: GateSpec; updated_at: string }>, i: GateDefaultsInput): GatePolicy[] {
  const defaults = defaultSpecs(i)
  return GATE_NAMES.map((gate) => {
    const d = declared.get(gate)
    const { metric, comparison, unit } = GATE_DEFINITIONS[gate]
    return { gate, metric, comparison, unit, ...(d ? d.spec : defaults[gate]), source: d ? 'declared' : 'default', updated_at: d?.updated_at ?? null }
  })
}

/** Why a declared spec cannot be accepted, or null. */
export function gateSpecProblem(gate: GateName, s: GateSpec): string | null {
  const max = GATE_DEFINITIONS[gate].maxTolerance
  if (!(s.tolerance > 0 && s.tolerance <= max)) return `tolerance of ${gate} must be above 0 and at most ${max}`
  if (!(s.alpha > 0 && s.alpha <= 0.5)) return 'alpha must be above 0 and at most 0.5'
  if (!Number.isInteger(s.min_samples) || s.min_samples < 1) return 'min_samples must be a whole number of at least 1'
  if (!Number.isInteger(s.max_samples) || s.max_samples < s.min_samples) return 'max_samples must be a whole number of at least min_samples'
  if (s.max_samples > MAX_SAMPLES_CEILING) return `max_samples must be at most ${MAX_SAMPLES_CEILING}`
  return null
}

/** The record of one gate from a list (the defaults when absent, e.g. a run started before records existed). */
export function policyOf(policies: readonly GatePolicy[], gate: GateName, i: GateDefaultsInput): GatePolicy {
  return policies.find((p) => p.gate === gate) ?? policiesOf(new Map(), i).find((p) => p.gate === gate)!
}

/** The quality gate's configuration from its record. */
export function qualityConfig(p: GateSpec): QualityGateConfig {
  return { ...DEFAULT_QUALITY_GATE, toleratedDrop: p.tolerance, alpha: p.alpha, minPairs: p.min_samples, maxPairs: p.max_samples }
}

/** The latency gate's configuration from its record. */
export function latencyConfig(p: GateSpec): LatencyGateConfig {
  return { ...DEFAULT_LATENCY_GATE, toleratedRegression: p.tolerance, alpha: p.alpha, minIntervals: p.min_samples, maxIntervals: p.max_samples }
}

/** The error-rate gate's configuration from its record. */
export function errorConfig(p: GateSpec): ErrorGateConfig {
  return { tolerance: p.tolerance, alpha: p.alpha, minRequests: p.min_samples }
}

/** What a canary is expected to run: the bake's interval, prompts asked per interval, the prompts available, and the canary's share of traffic. */
export interface CanaryPlanInput { intervalMs: number; promptsPerInterval: number; evalPrompts: number; canaryWeight: number; rps: number | null }

/** One gate's sample size for ≥ 80% power and the time the canary needs to collect it. */
export interface GatePlanLine { gate: GateName; needs: number; unit: string; minutes: number | null; feasible: boolean; note: string }

/**
 * The sample each gate needs at its declared tolerance (≥ 80% power) and how long the canary
 * takes to collect it: prompts at the probe rate, requests at the canary's share of the current
 * traffic, intervals at the bake's interval. `feasible` is false when the needed sample exceeds
 * what one step can supply (the gate's maximum, or the evaluation prompts available).
 */
export function canaryPlan(policies: readonly GatePolicy[], i: CanaryPlanInput): GatePlanLine[] {
  const minutesOf = (intervals: number) => Math.ceil((intervals * i.intervalMs) / 60_000)
  return policies.map((p) => {
    const needs = Math.max(p.min_samples, needsOf(p))
    if (p.gate === 'quality') {
      const supply = Math.min(p.max_samples, i.evalPrompts)
      const feasible = needs <= supply
      return { gate: p.gate, needs, unit: p.unit, minutes: minutesOf(Math.ceil(needs / Math.max(1, i.promptsPerInterval))), feasible,
        note: feasible ? `~${needs} prompts at ${i.promptsPerInterval} per interval` : `~${needs} prompts, but one step can ask ${supply}: the gate will stay inconclusive` }
    }
    if (p.gate === 'error_rate') {
      const canaryRps = i.rps === null ? null : i.rps * i.canaryWeight
      const minutes = canaryRps && canaryRps > 0 ? Math.ceil(needs / canaryRps / 60) : null
      return { gate: p.gate, needs, unit: p.unit, minutes, feasible: needs <= p.max_samples,
        note: canaryRps === null ? `~${needs} canary requests; no traffic measured yet` : `~${needs} canary requests at ${canaryRps.toFixed(1)} req/s (${Math.round(i.canaryWeight * 100)}% of ${i.rps!.toFixed(1)})` }
    }
    return { gate: p.gate, needs, unit: p.unit, minutes: minutesOf(needs), feasible: needs <= p.max_samples, note: `~${needs} intervals of ${Math.round(i.intervalMs / 1000)} s` }
  })
}

function needsOf(p: GatePolicy): number {
  if (p.gate === 'quality') return qualityPairsNeeded('', qualityConfig(p))
  if (p.gate === 'error_rate') return errorRequestsNeeded(errorConfig(p))
  return latencyIntervalsNeeded(latencyConfig(p))
}
