/**
 * The resource agent: right number of replicas (consolidate idle ones, scale out on queue depth
 * and KV pressure), and, as validator, the capacity check of every other agent's change.
 */
import type { RecommendationDraft, RecommendationType } from '../../recommendations/recommendation.ts'
import type { Agent, AgentContext, Finding, RecommendationUnderReview, ValidationVerdict } from '../agent.ts'
import { cents, confidenceOf, deploymentById, finite, predictGroup, riskOf } from '../fleet.ts'
import { predictedLatency, dataUsed, deploymentState, deploymentStates, type DeploymentState, recommendFromFinding } from '../state.ts'
import { planShapes, summary } from '../performance/performance.ts'
import { consolidation, scaleOut, SCALE_OUT_SATURATION, type ReplicaChange } from './rules.ts'

/** Version reported at registration. */
export const RESOURCE_AGENT_VERSION = '1.0.0'
/** KV usage at peak above which a plan leaves no room for longer requests. */
const MAX_PLAN_KV_USAGE = 0.95

function finding(kind: RecommendationType, state: DeploymentState, c: ReplicaChange): Finding {
  return {
    kind, deploymentId: state.deployment.id, severity: kind === 'autoscaling' ? 'warning' : 'info', source: state.source,
    summary: `${kind === 'autoscaling' ? 'Scale out' : 'Consolidate'} ${c.from} → ${c.to} instances: ${c.signals[0]}`,
    data: { change: c },
  }
}

/** "2× g5.xlarge spot", or per pool for a group of several ("3: 1× p5.4xlarge on-demand + 2× p5.4xlarge spot"). */
function countChange(c: ReplicaChange): string {
  const [only, ...rest] = c.pools
  if (only && rest.length === 0) return `${only.count}× ${only.instanceType} ${only.pricing}`
  return `${c.to}: ${c.pools.map((p) => `${p.count}× ${p.instanceType} ${p.pricing}`).join(' + ')}`
}

function draftOf(kind: RecommendationType, ctx: AgentContext, state: DeploymentState, c: ReplicaChange): RecommendationDraft {
  const dep = state.deployment
  const pool = state.pools[0]!
  const out = kind === 'consolidation'
  const risk = riskOf(out
    ? [
        { points: 1, reason: `${c.from - c.to} fewer instance(s): less headroom for bursts (peak saturation ${c.peakAfter.saturation.toFixed(2)})` },
        ...(state.source === 'model' ? [{ points: 1, reason: 'no telemetry yet: load from the serving model only' }] : []),
        ...(dep.latencyCritical ? [{ points: 1, reason: 'latency-critical deployment' }] : []),
      ]
    : [{ points: 0, reason: `adds ${c.to - c.from} instance(s) at $${cents(c.monthlyDeltaUsd)}/month` }])
  const before = state.monthlyCostUsd
  return {
    type: kind, agentType: 'resource', deploymentId: dep.id,
    title: `${out ? 'Consolidate' : 'Scale out'} ${dep.name}: ${c.from} → ${c.pools.length === 1 ? `${c.to}× ${pool.instanceType}` : `${c.to} instances`}`,
    riskLevel: risk.level, riskReasons: risk.reasons, estimatedMonthlySavingsUsd: cents(-c.monthlyDeltaUsd),
    confidence: confidenceOf(state.source),
    predicted: {
      monthlyCostUsdBefore: cents(before), monthlyCostUsdAfter: cents(before + c.monthlyDeltaUsd),
      ...predictedLatency(state, c.nowAfter),
      throughputCapacityRatio: finite(c.peakAfter.capacityRps / c.peakBefore.capacityRps, 3) ?? undefined,
    },
    evidence: {
      source: state.source, data_used: dataUsed(ctx, state), observed: state.observed, signals: c.signals, hourly_usd_per_instance: c.hourlyUsd,
      model_peak_before: summary(c.peakBefore), model_peak_after: summary(c.peakAfter), rps_now: finite(state.rpsNow), rps_peak: finite(state.rpsPeak),
    },
    plan: {
      deploymentId: dep.id, config: dep.stable.config, summary: `${c.from} → ${countChange(c)}`,
      pools: c.pools,
    },
    dedupeKey: `${kind}:${dep.id}`,
  }
}

/** Capacity of another agent's plan: it must fit, carry the peak below the scale-out line, and leave KV headroom. */
export function validateCapacity(rec: RecommendationUnderReview, ctx: AgentContext): ValidationVerdict {
  const dep = deploymentById(ctx, rec.deploymentId)
  if (!dep) return { approved: false, baseline_established: false, reason: `deployment ${rec.deploymentId} is no longer in the fleet`, data: {} }
  const state = deploymentState(ctx, dep)
  const shapes = planShapes(ctx, rec)
  const after = predictGroup(dep.model, rec.plan.config, shapes, state.rpsPeak, state.traffic)
  const problems: string[] = []
  if (!after.fits) problems.push(`${dep.model.name} does not fit the planned instances`)
  else {
    if (after.saturation > SCALE_OUT_SATURATION) problems.push(`peak saturation ${after.saturation.toFixed(2)} > ${SCALE_OUT_SATURATION}`)
    if (after.kvCacheUsage > MAX_PLAN_KV_USAGE) problems.push(`peak KV usage ${after.kvCacheUsage.toFixed(2)} > ${MAX_PLAN_KV_USAGE}`)
  }
  const notes: string[] = []
  const spotIdx = shapes.findIndex((s) => s.pricing === 'spot')
  const total = shapes.reduce((s, x) => s + x.count, 0)
  if (spotIdx >= 0 && total > 1) {
    const lost = shapes.map((s, i) => ({ ...s, count: s.count - (i === spotIdx ? 1 : 0) }))
    const sat = predictGroup(dep.model, rec.plan.config, lost, state.rpsPeak, state.traffic).saturation
    notes.push(`one spot interruption leaves peak saturation ${sat.toFixed(2)} until a replacement serves`)
  }
  const capacity = `${total} instance(s) carry peak ${state.rpsPeak.toFixed(1)} rps at saturation ${after.saturation.toFixed(2)}, KV ${after.kvCacheUsage.toFixed(2)}`
  return {
    approved: problems.length === 0, baseline_established: false,
    reason: problems.length === 0 ? [`capacity ok: ${capacity}`, ...notes].join('; ') : `capacity short: ${problems.join('; ')}`,
    data: { peak_rps: finite(state.rpsPeak), after_peak: summary(after), before_peak: summary(state.peak), notes },
  }
}

/** The resource agent. */
export const resourceAgent: Agent = {
  type: 'resource',
  version: RESOURCE_AGENT_VERSION,
  capabilities: ['resource_optimization', 'consolidation', 'autoscaling', 'capacity_validation'],
  async detect(ctx) {
    const out: Finding[] = []
    for (const state of deploymentStates(ctx)) {
      const down = consolidation(state)
      if (down) out.push(finding('consolidation', state, down))
      const up = scaleOut(state)
      if (up) out.push(finding('autoscaling', state, up))
    }
    return out
  },
  recommend: recommendFromFinding<ReplicaChange>('change', draftOf),
  validates: (rec) => rec.agentType !== 'resource',
  async validate(rec, ctx) {
    return validateCapacity(rec, ctx)
  },
}
