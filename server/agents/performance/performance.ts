/**
 * The performance agent: engine knobs that buy latency or throughput (FP8 weights, KV cache,
 * batching), and, as validator, the SLO check of every other agent's change.
 */
import type { Pricing } from '../../cloud/provider.ts'
import type { RecommendationDraft, RecommendationType } from '../../recommendations/recommendation.ts'
import type { Agent, AgentContext, Finding, RecommendationUnderReview, ValidationVerdict } from '../agent.ts'
import { cents, confidenceOf, deploymentById, entryOf, finite, latencyBudget, predictGroup, riskOf, type GroupPrediction } from '../fleet.ts'
import { reportedP95, reportedP99 } from '../reported.ts'
import { predictedLatency, calibration, dataUsed, deploymentState, deploymentStates, type DeploymentState, recommendFromFinding } from '../state.ts'
import { batchingChange, fp8WeightsChange, kvCacheChange, type KnobChange } from './rules.ts'

/** Version reported at registration. */
export const PERFORMANCE_AGENT_VERSION = '1.0.0'

/** Quality drop (absolute accuracy) beyond which a knob change is high risk. */
const QUALITY_RISK_THRESHOLD = 0.005

const TITLES: Record<string, string> = {
  quantization: 'Serve FP8 weights',
  kv_cache_tuning: 'Tune the KV cache',
  batching_tuning: 'Tune batching',
}

function finding(kind: RecommendationType, state: DeploymentState, c: KnobChange): Finding {
  const gain = c.beforePeak.p95Ms > 0 ? 1 - c.afterPeak.p95Ms / c.beforePeak.p95Ms : 0
  return {
    kind, deploymentId: state.deployment.id, severity: 'info', source: state.source,
    summary: `${TITLES[kind]}: peak p95 ${Math.round(c.beforePeak.p95Ms)} → ${Math.round(c.afterPeak.p95Ms)} ms (${Math.round(gain * 100)}%), capacity ×${(c.afterPeak.capacityRps / c.beforePeak.capacityRps).toFixed(2)}`,
    data: { change: c },
  }
}

function draftOf(kind: RecommendationType, ctx: AgentContext, state: DeploymentState, c: KnobChange): RecommendationDraft {
  const dep = state.deployment
  const factor = calibration(state)
  const knobs = Object.entries(c.changes).map(([k, v]) => `${k} ${String(v.from)} → ${String(v.to)}`).join(', ')
  const risk = riskOf([
    { points: 1, reason: 'engine restart with new knobs on every replica (rolled out as a canary)' },
    ...(c.qualityDelta < -QUALITY_RISK_THRESHOLD ? [{ points: 2, reason: `quality model predicts ${(c.qualityDelta * 100).toFixed(2)} pt accuracy change` }] : []),
    ...(c.qualityDelta < 0 && c.qualityDelta >= -QUALITY_RISK_THRESHOLD ? [{ points: 0, reason: `quality model predicts a negligible ${(c.qualityDelta * 100).toFixed(2)} pt change (peers §5.2)` }] : []),
    ...(dep.latencyCritical ? [{ points: 1, reason: 'latency-critical deployment' }] : []),
  ])
  const cost = state.monthlyCostUsd
  return {
    type: kind, agentType: 'performance', deploymentId: dep.id, title: `${TITLES[kind]} on ${dep.name}: ${knobs}`,
    riskLevel: risk.level, riskReasons: risk.reasons, estimatedMonthlySavingsUsd: 0,
    confidence: confidenceOf(state.source),
    predicted: {
      monthlyCostUsdBefore: cents(cost), monthlyCostUsdAfter: cents(cost),
      ...predictedLatency(state, c.afterNow),
      throughputCapacityRatio: finite(c.afterPeak.capacityRps / c.beforePeak.capacityRps, 3) ?? undefined,
      qualityDelta: finite(c.qualityDelta, 4) ?? undefined,
    },
    evidence: {
      source: state.source, data_used: dataUsed(ctx, state), observed: state.observed, triggers: c.triggers, changes: c.changes, calibration_factor: finite(factor),
      model_peak_before: summary(c.beforePeak), model_peak_after: summary(c.afterPeak), rps_now: finite(state.rpsNow), rps_peak: finite(state.rpsPeak),
    },
    plan: {
      deploymentId: dep.id, config: c.config, summary: knobs,
      pools: state.pools.map(({ cloud, region, instanceType, pricing, count }) => ({ cloud, region, instanceType, pricing, count })),
    },
    dedupeKey: `${kind}:${dep.id}`,
  }
}

/** JSON-safe summary of a prediction for evidence. */
export function summary(p: GroupPrediction): Record<string, number | boolean | null> {
  return {
    fits: p.fits, p95_ms: finite(p.p95Ms, 1), p99_ms: finite(p.p99Ms, 1), reported_p95_ms: finite(reportedP95(p), 1), reported_p99_ms: finite(reportedP99(p), 1), ttft_p95_ms: finite(p.ttftP95Ms, 1), itl_p50_ms: finite(p.itlP50Ms, 2),
    queue_p95_ms: finite(p.queueP95Ms, 1), error_rate: finite(p.errorRate, 5), saturation: finite(p.saturation), capacity_rps: finite(p.capacityRps, 2),
    kv_cache_usage: finite(p.kvCacheUsage), preemptions_per_sec: finite(p.preemptionsPerSec, 4),
  }
}

/** Pools of a plan as the serving model needs them (GPU type and count from the catalog). */
export function planShapes(ctx: AgentContext, rec: RecommendationUnderReview): { gpuType: string; gpuCount: number; count: number; pricing: Pricing }[] {
  return rec.plan.pools.map((p) => {
    const e = entryOf(ctx, p.cloud, p.instanceType)
    return { gpuType: e.gpuType, gpuCount: e.gpuCount, count: p.count, pricing: p.pricing }
  })
}

/** SLO safety of another agent's change: predicted peak p95/p99/errors within the budget, spot only with a floor where latency-critical. */
export function validateSlo(rec: RecommendationUnderReview, ctx: AgentContext): ValidationVerdict {
  const dep = deploymentById(ctx, rec.deploymentId)
  if (!dep) return { approved: false, baseline_established: false, reason: `deployment ${rec.deploymentId} is no longer in the fleet`, data: {} }
  const state = deploymentState(ctx, dep)
  const factor = calibration(state)
  const shapes = planShapes(ctx, rec)
  const after = predictGroup(dep.model, rec.plan.config, shapes, state.rpsPeak, state.traffic)
  // compared as telemetry will report them, the canary's SLO rules' reading
  const scaled = { p95Ms: reportedP95(after) * factor, p99Ms: reportedP99(after) * factor }
  const budget = latencyBudget(dep.slo, state.peak, factor)
  const problems: string[] = []
  if (!after.fits) problems.push(`${dep.model.name} does not fit the planned instances with this config`)
  if (scaled.p95Ms > budget.p95Ms) problems.push(`peak p95 ${Math.round(scaled.p95Ms)} ms exceeds ${Math.round(budget.p95Ms)} ms`)
  if (scaled.p99Ms > budget.p99Ms) problems.push(`peak p99 ${Math.round(scaled.p99Ms)} ms exceeds ${Math.round(budget.p99Ms)} ms`)
  if (after.errorRate > budget.maxErrorRate) problems.push(`predicted error rate ${after.errorRate.toFixed(4)} exceeds ${budget.maxErrorRate}`)
  const spotOnly = shapes.some((s) => s.pricing === 'spot') && !shapes.some((s) => s.pricing !== 'spot')
  if (dep.latencyCritical && spotOnly) problems.push('latency-critical deployment would have no on-demand floor')
  const ok = `peak p95 ${Math.round(scaled.p95Ms)} ms ≤ ${Math.round(budget.p95Ms)} ms, p99 ${Math.round(scaled.p99Ms)} ms ≤ ${Math.round(budget.p99Ms)} ms, errors ${after.errorRate.toFixed(4)} ≤ ${budget.maxErrorRate}`
  const spotNote = shapes.some((s) => s.pricing === 'spot') ? (dep.latencyCritical ? '; on-demand floor kept' : '; not latency-critical, spot interruptions acceptable') : ''
  return {
    approved: problems.length === 0, baseline_established: false,
    reason: problems.length === 0 ? `SLO safe: ${ok}${spotNote}` : `SLO risk: ${problems.join('; ')}`,
    data: { source: state.source, calibration_factor: finite(factor), slo: dep.slo, budget, before_peak: summary(state.peak), after_peak: summary(after) },
  }
}

/** The performance agent. */
export const performanceAgent: Agent = {
  type: 'performance',
  version: PERFORMANCE_AGENT_VERSION,
  capabilities: ['performance_optimization', 'quantization', 'kv_cache_tuning', 'batching_tuning', 'latency_optimization', 'slo_validation'],
  async detect(ctx) {
    const out: Finding[] = []
    for (const state of deploymentStates(ctx)) {
      const fp8 = fp8WeightsChange(state)
      if (fp8) out.push(finding('quantization', state, fp8))
      const kv = kvCacheChange(state)
      if (kv) out.push(finding('kv_cache_tuning', state, kv))
      const batching = batchingChange(state)
      if (batching) out.push(finding('batching_tuning', state, batching))
    }
    return out
  },
  recommend: recommendFromFinding<KnobChange>('change', draftOf),
  validates: (rec) => rec.agentType !== 'performance',
  async validate(rec, ctx) {
    return validateSlo(rec, ctx)
  },
}
