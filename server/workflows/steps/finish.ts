/**
 * After the steps (or the rollback): measures what the change really did and records it. A
 * completed change gets its realized savings from the bill (run-rate of the deployment before vs
 * now) and its measured p95 since promotion beside the agent's prediction; every run stores one learning outcome (success, predicted vs actual, quality delta,
 * rollback reason, feature vector) that similarity search offers for future recommendations.
 */
import { costRegression, realizedSavings } from '../../optimizations/savings.ts'
import { monthlyRunRateUsd } from '../../spend/run-rate.ts'
import { storeOutcome } from '../../learning/store.ts'
import { readDeploymentSignals } from '../../telemetry/signals.ts'
import type { StepEnv } from '../engine.ts'
import type { Run, StepResult } from '../workflow.ts'
import { ctxOf, type OptimizationContext, type OptimizationDeps } from './context.ts'

/**
 * Fleet time a completed change is observed at full traffic before it is measured (Argo's
 * post-promotion analysis): its p95 and run-rate then describe the group that really runs.
 */
export const POST_PROMOTION_WINDOW_MS = 5 * 60_000

/** The finish step: fills `run.result` and stores the outcome. */
export async function finishStep(env: StepEnv<OptimizationDeps>, run: Run): Promise<StepResult> {
  const c = ctxOf(run)
  const outcome = c.outcome ?? 'completed'
  const predicted = c.recommendation.estimated_savings_usd
  const quality = qualityOf(c)
  let result: Record<string, unknown>
  if (outcome === 'completed') {
    const settled = c.promoted_at ? Date.parse(c.promoted_at) + POST_PROMOTION_WINDOW_MS : 0
    if (env.now.getTime() < settled) return { kind: 'wait', until: new Date(settled), reason: 'measuring the changed deployment after promotion' }
    const before = c.run_rate_before_usd ?? 0
    const after = await monthlyRunRateUsd(env.deps.cloud, run.customerId, env.now, c.deployment_id)
    const s = realizedSavings(before, after, predicted)
    // judged, not assumed: from the bill, against what the customer approved
    const regression = costRegression(before, s.actual, predicted)
    result = {
      success: !regression, outcome: regression ? 'regressed' : 'improved', error: regression,
      predicted_savings: s.predicted, actual_savings: s.actual, prediction_error: s.prediction_error,
      monthly_cost_before: round2(before), monthly_cost_after: round2(after), cost_reduction: s.cost_reduction, quality,
      latency: await latencyOf(env, run, c),
    }
  } else {
    const reason = c.abort?.reason ?? run.lastError ?? 'failed'
    result = {
      success: false, error: outcome === 'failed' ? (c.rollback?.error as string | undefined) ?? run.lastError ?? reason : reason,
      rollback_reason: c.abort?.reason ?? null, predicted_savings: round2(predicted), actual_savings: 0, quality,
      rollback: c.rollback ?? null,
    }
  }
  run.result = result
  const stored = await storeOutcome(env.deps.db, {
    optimizationId: run.id, customerId: run.customerId, recommendationId: c.recommendation.id, recommendationType: c.recommendation.type,
    deploymentId: c.deployment_id, success: result.success === true, status: result.outcome === 'regressed' ? 'regressed' : outcome, predictedSavingsUsd: predicted,
    actualSavingsUsd: outcome === 'completed' ? (result.actual_savings as number) : 0, qualityDelta: quality?.delta ?? null,
    rollbackReason: c.abort?.reason ?? null, features: c.recommendation.features, at: env.now,
  })
  return { kind: 'done', detail: { outcome_id: stored.id, stored_in_vector_db: stored.storedInVectorDb } }
}

/**
 * The latency the agent predicted for the changed deployment against the p95 and p99 its telemetry
 * measured since the canary took all traffic: the latency side of the prediction error.
 */
async function latencyOf(env: StepEnv<OptimizationDeps>, run: Run, c: OptimizationContext) {
  const from = c.promoted_at ? new Date(c.promoted_at) : null
  const signals = from ? await readDeploymentSignals(env.deps.db, run.customerId, c.deployment_id, { from, to: env.now }) : null
  const p95 = versus(c.recommendation.predicted?.p95LatencyMsAfter ?? null, signals?.p95LatencyMs ?? null)
  const p99 = versus(c.recommendation.predicted?.p99LatencyMsAfter ?? null, signals?.p99LatencyMs ?? null)
  return {
    predicted_p95_ms: p95.predicted, measured_p95_ms: p95.measured, prediction_error: p95.error,
    predicted_p99_ms: p99.predicted, measured_p99_ms: p99.measured, p99_prediction_error: p99.error,
    measured_from: from?.toISOString() ?? null, measured_to: env.now.toISOString(), samples: signals?.samples ?? 0,
  }
}

/** A predicted and a measured figure, and (measured − predicted) / predicted; null where either is missing. */
function versus(predicted: number | null, measured: number | null) {
  return {
    predicted: predicted === null ? null : round2(predicted), measured: measured === null ? null : round2(measured),
    error: predicted && measured !== null ? Math.round(((measured - predicted) / predicted) * 10_000) / 10_000 : null,
  }
}

/** The last quality comparison measured during the bake (canary − stable accuracy), if any. */
function qualityOf(c: OptimizationContext): { stable_accuracy: number | null; canary_accuracy: number | null; delta: number | null; n: number } | null {
  const bakes = Object.values(c.bake ?? {}).filter((b) => b.quality_verdict)
  const last = bakes[bakes.length - 1]?.quality_verdict
  if (!last) return null
  return { stable_accuracy: last.stable_accuracy, canary_accuracy: last.canary_accuracy, delta: last.drop === null ? null : -last.drop, n: last.n }
}

const round2 = (x: number) => Math.round(x * 100) / 100
