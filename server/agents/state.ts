/**
 * The deployment as the agents reason about it: its pools and cost, the workload learned from its
 * telemetry, the serving model's predictions now and at peak, and the data its figures rest on.
 */
import type { FleetDeployment, FleetInstance } from '../cloud/provider.ts'
import type { AgentContext, EvidenceSource, Finding, HourlyRate, ObservedSignals } from './agent.ts'
import type { PredictedEffect, RecommendationDraft, RecommendationType } from '../recommendations/recommendation.ts'
import { deploymentById, monthlyCostUsd, poolsOf, predictGroup, rpsNow, rpsPeak, shapesOf, stableInstances, type GroupPrediction, type Pool } from './fleet.ts'
import { finite } from './scoring.ts'
import { reportedP95, reportedP99 } from './reported.ts'
import { learnWorkload, type LearnedWorkload, type ServedWorkload, type WorkloadBasis } from './workload.ts'

/** The deployment as agents reason about it: pools, cost, model predictions and observed signals. */
export interface DeploymentState {
  deployment: FleetDeployment
  pools: Pool[]
  /** The workload learned from telemetry (registration and spec sheet where it is silent): every prediction uses it. */
  traffic: ServedWorkload
  workload: WorkloadBasis
  monthlyCostUsd: number
  rpsNow: number
  rpsPeak: number
  /** Model prediction at the current rate and at the daily peak. */
  now: GroupPrediction
  peak: GroupPrediction
  observed: ObservedSignals | null
  source: EvidenceSource
}

/**
 * The workload learned for a deployment from its running stable instances and their signals: what
 * every prediction of the agents uses, and what the reconciler sizes the on-demand floor with.
 */
export function learnedWorkloadOf(dep: FleetDeployment, stable: FleetInstance[], signals: ObservedSignals | null, now: string, daily?: HourlyRate[]): LearnedWorkload {
  const shapes = shapesOf(poolsOf(stable))
  const observed = shapes.length && signals && signals.samples > 0 ? signals : null
  const p95At = (w: ServedWorkload, rps: number) => reportedP95(predictGroup(dep.model, dep.stable.config, shapes, rps, w))
  return learnWorkload(dep, observed, now, p95At, daily)
}

/** Builds the DeploymentState of one deployment. */
export function deploymentState(ctx: AgentContext, dep: FleetDeployment): DeploymentState {
  const stable = stableInstances(ctx, dep)
  const pools = poolsOf(stable)
  const shapes = shapesOf(pools)
  const signals = ctx.signals[dep.id] ?? null
  const observed = signals && signals.samples > 0 ? signals : null
  const { workload, basis } = learnedWorkloadOf(dep, stable, signals, ctx.now, ctx.daily?.[dep.id])
  const now = rpsNow(workload, ctx.now)
  const peak = rpsPeak(workload)
  return {
    deployment: dep, pools, traffic: workload, workload: basis, monthlyCostUsd: monthlyCostUsd(pools), rpsNow: now, rpsPeak: peak,
    now: predictGroup(dep.model, dep.stable.config, shapes, now, workload),
    peak: predictGroup(dep.model, dep.stable.config, shapes, peak, workload),
    observed, source: observed ? 'telemetry' : 'model',
  }
}

/** How telemetry arrives when no connected source names the deployment. */
export const PUSHED_TELEMETRY = 'pushed by the agent runtime or Prometheus remote-write'

/**
 * What a deployment's figures rest on, for its recommendation's evidence: the telemetry window, its
 * source and sample count, or the serving model's prior where no telemetry exists; and the prices' time.
 */
export function dataUsed(ctx: AgentContext, state: DeploymentState): Record<string, unknown> {
  const prices = { prices_at: ctx.now }
  if (state.source === 'model' || !state.observed) {
    return { basis: 'model prior', detail: 'no stable-group telemetry in the window: load and latency from the serving model and the registered traffic', ...prices }
  }
  const t = ctx.telemetry
  return {
    basis: 'telemetry', via: t?.via[state.deployment.id] ?? PUSHED_TELEMETRY, window_from: t?.from?.[state.deployment.id] ?? t?.windowFrom ?? null, window_to: t?.windowTo ?? ctx.now,
    samples: state.observed.samples, workload: workloadEvidence(state), ...prices,
  }
}

/** What the agents learned of the deployment's workload, beside what it was registered with. */
function workloadEvidence(state: DeploymentState): Record<string, unknown> {
  const w = state.traffic
  return {
    ...state.workload, rps_now: finite(state.rpsNow), prompt_tokens_mean: finite(w.promptTokensMean),
    output_tokens_mean: finite(w.outputTokensMean), gpu_efficiency: w.efficiency,
    daily_amplitude: finite(w.dailyAmplitude, 3), peak_hour_utc: finite(w.peakHourUtc), prefix_share: finite(w.prefixShare, 3),
  }
}

/** The deployments of the context that have running stable instances and are not settling after a change. */
export function deploymentStates(ctx: AgentContext): DeploymentState[] {
  return ctx.fleet.deployments.filter((d) => !ctx.settling?.[d.id]).map((d) => deploymentState(ctx, d)).filter((s) => s.pools.length > 0)
}

/**
 * An agent's `recommend`: finds the finding's deployment in the context and drafts from the change
 * the finding carries under `key` (every agent stores its planned change on the finding in detect).
 */
export function recommendFromFinding<C>(key: string, draft: (kind: RecommendationType, ctx: AgentContext, state: DeploymentState, change: C) => RecommendationDraft) {
  return async (f: Finding, ctx: AgentContext): Promise<RecommendationDraft | null> => {
    const dep = deploymentById(ctx, f.deploymentId)
    if (!dep || !f.data[key]) return null
    return draft(f.kind as RecommendationType, ctx, deploymentState(ctx, dep), f.data[key] as C)
  }
}

/**
 * Measured over the model's reported p95 today: what the learned workload leaves unexplained
 * (1 when it explains the measure; inside the fit's dead band otherwise), carried onto a plan's
 * prediction. Bounded, so one odd window cannot double or halve a prediction.
 */
export function calibration(state: DeploymentState): number {
  const observed = state.observed?.p95LatencyMs ?? null
  const reported = reportedP95(state.now)
  if (observed === null || !(reported > 0) || !Number.isFinite(reported)) return 1
  return Math.min(2, Math.max(0.5, observed / reported))
}

/**
 * A plan's p95 and p99 now, before and after, as the deployment's telemetry will report them: the
 * model's reported quantiles (vLLM's buckets, as PromQL reads them) times the calibration; before
 * is the measure where there is one. In the shape of a recommendation's predicted effect.
 */
export function predictedLatency(state: DeploymentState, afterNow: GroupPrediction): Pick<PredictedEffect, 'p95LatencyMsBefore' | 'p95LatencyMsAfter' | 'p99LatencyMsBefore' | 'p99LatencyMsAfter'> {
  const factor = calibration(state)
  const ms = (x: number) => finite(x, 1) ?? undefined
  return {
    p95LatencyMsBefore: ms(state.observed?.p95LatencyMs ?? reportedP95(state.now)), p95LatencyMsAfter: ms(reportedP95(afterNow) * factor),
    p99LatencyMsBefore: ms(state.observed?.p99LatencyMs ?? reportedP99(state.now)), p99LatencyMsAfter: ms(reportedP99(afterNow) * factor),
  }
}
