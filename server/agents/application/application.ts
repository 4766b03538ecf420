/**
 * The application agent: answer quality. It measures each deployment on evaluation prompts sent
 * to its OpenAI-compatible endpoint, compares a canary with stable on the same prompts, and, as
 * validator, establishes the quality baseline every change is later judged against.
 */
import { accuracy } from '../../cloud/model/quality.ts'
import type { FleetDeployment } from '../../cloud/provider.ts'
import type { Agent, AgentContext, Finding, QualityProbe, RecommendationUnderReview, ValidationVerdict } from '../agent.ts'
import { deploymentById, finite, stableInstances } from '../fleet.ts'
import { seenOnlyThroughMetrics } from '../../telemetry-sources/inventory.ts'
import {
  BASELINE_PROMPTS, MAX_PREDICTED_QUALITY_DROP, MIN_BASELINE_ANSWERS, MONITOR_PROMPTS, pairedVerdict, predictedQualityDelta, probeSeed,
} from './rules.ts'

/** Version reported at registration. */
export const APPLICATION_AGENT_VERSION = '1.0.0'

function expected(dep: FleetDeployment, ctx: AgentContext): number {
  const gpuType = stableInstances(ctx, dep)[0]?.gpuType
  return accuracy(dep.model, dep.stable.config, gpuType ? { gpuType } : {})
}

async function measure(ctx: AgentContext, probe: QualityProbe, dep: FleetDeployment): Promise<Finding[]> {
  const stable = await probe({ deploymentId: dep.id, group: 'stable', endpoint: dep.endpoints.chat.stable, count: MONITOR_PROMPTS, seed: probeSeed(dep.id, ctx.now), model: dep.model.name })
  const below = stable.answered > 0 && stable.score < dep.slo.minQuality
  const out: Finding[] = [{
    kind: below ? 'quality_below_slo' : 'quality_measured', deploymentId: dep.id, severity: below ? 'warning' : 'info', source: 'telemetry',
    summary: `stable answered ${stable.answered}/${stable.prompts} evaluation prompts, score ${stable.score.toFixed(3)} (SLO ≥ ${dep.slo.minQuality})`,
    data: { score: stable.score, prompts: stable.prompts, answered: stable.answered, errors: stable.errors, endpoint: stable.endpoint, expected_by_model: finite(expected(dep, ctx)) },
    // During a rollout the canary analysis owns the quality series; monitoring only reports.
    ...(stable.answered > 0 && !dep.canary ? { qualityScore: { deploymentId: dep.id, group: 'stable' as const, score: stable.score, samples: stable.answered, purpose: 'monitor' as const } } : {}),
  }]
  const canaryEndpoint = dep.canary ? dep.endpoints.chat.canary : null
  if (canaryEndpoint && stable.items.length > 0) {
    const canary = await probe({ deploymentId: dep.id, group: 'canary', endpoint: canaryEndpoint, count: stable.items.length, itemIds: stable.items.map((i) => i.id), model: dep.model.name })
    const v = pairedVerdict(stable, canary)
    out.push({
      kind: 'quality_regression_check', deploymentId: dep.id, severity: v.verdict === 'fail' ? 'critical' : 'info', source: 'telemetry',
      summary: `canary vs stable on ${v.n} paired prompts: ${v.verdict} (${v.reason})`, data: { ...v },
    })
  }
  return out
}

function unmeasured(ctx: AgentContext, dep: FleetDeployment): Finding {
  const why = seenOnlyThroughMetrics(dep) ? 'no chat endpoint is known for it (seen only through its metrics)' : 'no quality probe available'
  return {
    kind: 'quality_unmeasured', deploymentId: dep.id, severity: 'info', source: 'model',
    summary: `${why}; the quality model expects accuracy ${expected(dep, ctx).toFixed(3)}`,
    data: { expected_by_model: finite(expected(dep, ctx)) },
  }
}

/** Baseline on the stable endpoint before a change, plus the quality model's prediction for the plan. */
export async function establishBaseline(rec: RecommendationUnderReview, ctx: AgentContext): Promise<ValidationVerdict> {
  const dep = deploymentById(ctx, rec.deploymentId)
  if (!dep) return { approved: false, baseline_established: false, reason: `deployment ${rec.deploymentId} is no longer in the fleet`, data: {} }
  const predicted = predictedQualityDelta(ctx, rec, dep)
  if (seenOnlyThroughMetrics(dep)) return modelOnlyVerdict(dep, predicted)
  if (!ctx.probe) return { approved: false, baseline_established: false, reason: 'no quality probe available: cannot establish a baseline', data: { predicted_quality_delta: finite(predicted.delta, 4) } }
  const base = await ctx.probe({ deploymentId: dep.id, group: 'stable', endpoint: dep.endpoints.chat.stable, count: BASELINE_PROMPTS, seed: `${rec.id}|baseline`, model: dep.model.name })
  // prompts an overloaded stable group refused are its errors, measured, not a missing baseline
  const refused = base.refused ?? 0
  const established = base.answered + refused >= MIN_BASELINE_ANSWERS
  const safe = predicted.delta >= -MAX_PREDICTED_QUALITY_DROP
  const reasons = [
    established ? `baseline ${base.score.toFixed(3)} on ${base.answered} evaluation prompts${refused ? `; ${refused} refused for overload, counted as errors of the stable group (${((base.score * base.answered) / (base.answered + refused)).toFixed(3)} as served)` : ''}` : `only ${base.answered}/${base.prompts} prompts answered (need ${MIN_BASELINE_ANSWERS})${base.lastError ? `: ${base.lastError}` : ''}`,
    safe ? `quality model predicts ${(predicted.delta * 100).toFixed(2)} pt for the plan` : `quality model predicts ${(predicted.delta * 100).toFixed(2)} pt, beyond the ${MAX_PREDICTED_QUALITY_DROP * 100} pt budget`,
  ]
  return {
    approved: established && safe, baseline_established: established, reason: reasons.join('; '),
    data: {
      baseline: { score: base.score, prompts: base.prompts, answered: base.answered, errors: base.errors, refused, endpoint: base.endpoint, item_ids: base.items.map((i) => i.id) },
      predicted_quality_delta: finite(predicted.delta, 4), expected_before: finite(predicted.before), expected_after: finite(predicted.after),
    },
    ...(base.answered > 0 ? { qualityScore: { deploymentId: dep.id, group: 'stable' as const, score: base.score, samples: base.answered, purpose: 'baseline' as const } } : {}),
  }
}

/**
 * A deployment seen only through its metrics has no endpoint to measure a baseline on. Its
 * recommendations are advisory (OptiInfra neither launches its capacity nor gates its canary), so
 * the quality model's prediction is the check, and the verdict says that nothing was measured.
 */
function modelOnlyVerdict(dep: FleetDeployment, predicted: ReturnType<typeof predictedQualityDelta>): ValidationVerdict {
  const safe = predicted.delta >= -MAX_PREDICTED_QUALITY_DROP
  return {
    approved: safe, baseline_established: false,
    reason: `no chat endpoint is known for ${dep.id} (seen only through its metrics), so no baseline was measured; the quality model predicts ${(predicted.delta * 100).toFixed(2)} pt for the plan${safe ? '' : `, beyond the ${MAX_PREDICTED_QUALITY_DROP * 100} pt budget`}`,
    data: { predicted_quality_delta: finite(predicted.delta, 4), expected_before: finite(predicted.before), expected_after: finite(predicted.after), measured: false },
  }
}

/** The application agent. */
export const applicationAgent: Agent = {
  type: 'application',
  version: APPLICATION_AGENT_VERSION,
  capabilities: ['quality_check', 'quality_baseline', 'quality_regression_detection'],
  async detect(ctx) {
    const serving = ctx.fleet.deployments.filter((dep) => stableInstances(ctx, dep).length > 0)
    const probe = ctx.probe
    // Deployments are independent endpoints: probe them side by side (each probe bounds its own concurrency).
    const perDeployment = await Promise.all(serving.map(async (dep) => (probe && !seenOnlyThroughMetrics(dep) ? measure(ctx, probe, dep) : [unmeasured(ctx, dep)])))
    return perDeployment.flat()
  },
  // Quality findings are for the humans and the rollout gates; there is no change to propose.
  async recommend() {
    return null
  },
  validates: (rec) => rec.agentType !== 'application',
  validate: establishBaseline,
}
