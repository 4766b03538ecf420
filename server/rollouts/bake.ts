/**
 * The state of one validate step's bake, kept in the run's context so a restarted process carries
 * on where the last one stopped: the current window (0, then each extension), the snapshot the
 * next interval is measured from, the window's measurements, and the quality pairs, which keep
 * accumulating across extensions (more pairs → a conclusive paired test).
 */
import type { Measurement } from './analysis.ts'
import type { Snapshot, WindowSignals } from './measure.ts'
import { NO_PAIRS, type PairCounts, type PairedVerdict } from '../quality/paired.ts'
import { classifyErrorRate, classifyUpperBound } from './analysis.ts'
import type { AnalysisThresholds } from './rollout.ts'
import type { GateLook } from '../gates/gate.ts'
import { judgeQuality } from '../gates/quality.ts'
import { judgeErrors, newErrorGate, observeErrors, type ErrorGateState } from '../gates/error-rate.ts'
import { judgeLatency, latencyLogRatio } from '../gates/latency.ts'
import { errorConfig, latencyConfig, policyOf, qualityConfig, type GateDefaultsInput, type GateName, type GatePolicy } from '../gates/policy.ts'

/** A bake in progress. */
export interface BakeState {
  window: number
  intervals: number
  next_at: string | null
  before: { stable: Snapshot; canary: Snapshot } | null
  measurements: Measurement[]
  history: { window: number; phase: string; message: string; at: string }[]
  pairs: PairCounts
  /** Next evaluation item to use: each item is asked once per step (answers are deterministic per item). */
  prompt_offset: number
  quality_verdict: PairedVerdict | null
  /** Every paired outcome in order ('+' stable only right, '-' canary only, '0' agree): the quality gate's data. */
  quality_outcomes?: string
  /** Prompts each group refused for overload (counted as its wrong answers, server/quality/refusal.ts). */
  refused?: { stable: number; canary: number }
  /** The error-rate gate's e-process, across every measured interval of the step (extensions included). */
  error_gate?: ErrorGateState
  /** The latency gate's data: ln(p95 canary / p95 stable) of each measured interval with both p95s. */
  latency_log_ratios?: number[]
  /** The anytime-valid gates' latest look (those marked `decides` can roll the canary back). */
  gates?: GateLook[]
  /** Every look of those gates in this step, oldest first: the rollout page charts the sequence from it. */
  gate_looks?: GateLookAt[]
  last: { stable: WindowSignals; canary: WindowSignals } | null
  /** When the step first failed to read the groups before its bake began (see FIRST_READ_GRACE_INTERVALS). */
  unreadable_since?: string
}

/**
 * A new canary's metrics can take a scrape interval or two (and service discovery) to show in a
 * Prometheus: before the first snapshot, unreadable groups are waited for this many bake
 * intervals before failures count towards the analysis' error limit.
 */
export const FIRST_READ_GRACE_INTERVALS = 2

/** One gate look with the interval and time it was taken at. */
export type GateLookAt = GateLook & { interval: number; at: string }
/** Looks kept per step (all gates): the bake's bound on extensions keeps a step far below it. */
export const MAX_GATE_LOOKS = 180

/** What a gate record's defaults derive from in a rollout: the thresholds' error budget and minimum of requests. */
export function gateDefaultsOf(t: AnalysisThresholds): GateDefaultsInput {
  return { errorBudget: t.errors.limit, minRequests: t.errors.minRequests }
}

/** The gates' records with their configurations: those the rollout snapshotted, the defaults for a gate without one. */
export function gateConfigs(policies: readonly GatePolicy[], t: AnalysisThresholds) {
  const defaults = gateDefaultsOf(t)
  const of = (g: GateName) => policyOf(policies, g, defaults)
  const records = { quality: of('quality'), error_rate: of('error_rate'), latency_p95: of('latency_p95') }
  return { records, quality: qualityConfig(records.quality), errors: errorConfig(records.error_rate), latency: latencyConfig(records.latency_p95) }
}

/** The error-rate and latency gates' state after one measured interval of canary against stable. */
export function observeGates(b: BakeState, canary: WindowSignals, stable: WindowSignals, policies: readonly GatePolicy[], t: AnalysisThresholds): Pick<BakeState, 'error_gate' | 'latency_log_ratios'> {
  const y = canary.requests > 0 ? latencyLogRatio(canary.p95Ms, stable.p95Ms) : null
  return {
    error_gate: observeErrors(b.error_gate ?? newErrorGate(), canary.requests, canary.errors, stable.errorRate ?? 0, gateConfigs(policies, t).errors),
    latency_log_ratios: y === null ? (b.latency_log_ratios ?? []) : [...(b.latency_log_ratios ?? []), y],
  }
}

/**
 * Gates whose failure rolls the canary back. Each only adds anytime-valid rollbacks beside the
 * rules that advance a canary (the per-interval SLO rule, the McNemar quality rule): its false
 * alarms stay ≤ α however often it looks. The quality gate's success is not required to advance:
 * passing a 1-pp tolerance needs more agreeing pairs than the evaluation set holds. The latency
 * gate compares with stable, and right-sizing is meant to be slower within the SLO: the SLO rules
 * decide latency and the gate is recorded beside them (docs/gates.md).
 */
export const DECIDING_GATES: readonly GateLook['gate'][] = ['quality', 'error_rate']

/** Each anytime-valid gate's look at the step's data so far (quality, error rate, p95 latency), judged by the deployment's gate records. */
export function judgeGates(b: BakeState, policies: readonly GatePolicy[], t: AnalysisThresholds): GateLook[] {
  const c = gateConfigs(policies, t)
  return [
    judgeQuality(b.quality_outcomes ?? '', c.quality),
    judgeErrors(b.error_gate ?? newErrorGate(), b.last?.stable.errorRate ?? null, c.errors),
    judgeLatency(b.latency_log_ratios ?? [], c.latency),
  ].map((g) => ({ ...g, decides: DECIDING_GATES.includes(g.gate), source: c.records[g.gate].source }))
}

/** The step's looks with this decision's appended (the newest MAX_GATE_LOOKS). */
export function withLooks(b: BakeState, looks: GateLook[], at: Date): GateLookAt[] {
  const added = looks.map((l) => ({ ...l, interval: b.intervals, at: at.toISOString() }))
  return [...(b.gate_looks ?? []), ...added].slice(-MAX_GATE_LOOKS)
}

/** A fresh bake. */
export function newBake(): BakeState {
  return { window: 0, intervals: 0, next_at: null, before: null, measurements: [], history: [], pairs: NO_PAIRS, prompt_offset: 0, quality_verdict: null, quality_outcomes: '', gates: [], last: null }
}

/** The SLO metrics every interval measures. */
export const SLO_METRICS = ['p95_latency_ms', 'p99_latency_ms', 'error_rate'] as const

/** The interval's SLO measurements of the canary against stable. */
export function sloMeasurements(canary: WindowSignals, stable: WindowSignals, t: AnalysisThresholds, at: Date): Measurement[] {
  return [
    classifyUpperBound('p95_latency_ms', canary.requests > 0 ? canary.p95Ms : null, stable.p95Ms, t.p95, at),
    classifyUpperBound('p99_latency_ms', canary.requests > 0 ? canary.p99Ms : null, stable.p99Ms, t.p99, at),
    classifyErrorRate({ requests: canary.requests, errors: canary.errors }, stable.errorRate, t.errors, at),
  ]
}

/** One `error` measurement per SLO metric, for an interval whose telemetry could not be read. */
export function errorMeasurements(message: string, at: Date): Measurement[] {
  return SLO_METRICS.map((metric) => ({ metric, phase: 'error' as const, value: null, baseline: null, limit: null, message, at: at.toISOString() }))
}

/** Starts the next window after an inconclusive one (fresh SLO measurements, pairs kept). */
export function extendBake(b: BakeState, reason: string, at: Date): BakeState {
  return { ...b, window: b.window + 1, measurements: [], history: [...b.history, { window: b.window, phase: 'inconclusive', message: reason, at: at.toISOString() }] }
}

/** The numbers a step's `detail` shows: stable vs canary over the last interval, and the limits. */
export function sloDetail(b: BakeState, t: AnalysisThresholds): Record<string, unknown> {
  const g = (s: WindowSignals | undefined) => s && { p95_ms: round(s.p95Ms), p99_ms: round(s.p99Ms), error_rate: s.errorRate, requests: Math.round(s.requests), rps: round(s.rps) }
  return {
    stable: g(b.last?.stable) ?? null, canary: g(b.last?.canary) ?? null,
    limits: { p95_ms: t.p95.limit, p99_ms: t.p99.limit, error_rate: t.errors.limit, max_quality_drop: t.maxQualityDrop },
  }
}

const round = (x: number | null) => (x === null ? null : Math.round(x * 10) / 10)
