/**
 * The optimization workflow: the named canary steps of each recommendation type (rollouts/
 * rollout.ts), the rollback step that is its abort path, the finish step that measures realized
 * savings and stores the learning outcome, and the hook that keeps the recommendation's status in
 * step with the run, in the same transaction.
 */
import type { Db } from '../db/db.ts'
import type { LiveEvent } from '../http/live.ts'
import { recordAudit } from '../audit/store.ts'
import { allRolloutSteps, rolloutStepsFor, type RolloutStep } from '../rollouts/rollout.ts'
import { setRecommendationStatus, type StoredRecommendation } from '../optimizations/store.ts'
import { featuresOf } from '../learning/features.ts'
import type { RecommendationStatus } from '../recommendations/recommendation.ts'
import type { EngineConfig } from '../cloud/model/serving.ts'
import type { StepSpec, WorkflowDefinition } from './engine.ts'
import type { Run, RunStatus, Transition } from './workflow.ts'
import { insertRun } from './store.ts'
import type { OptimizationContext, OptimizationDeps } from './steps/context.ts'
import { launchStep } from './steps/launch.ts'
import { promoteStep, retireStep, setWeightStep } from './steps/traffic.ts'
import { validateStep } from './steps/validate.ts'
import { rollbackStep } from './steps/rollback.ts'
import { finishStep } from './steps/finish.ts'
import { guarded } from '../desired/guard.ts'
import { recordExecutedChange } from '../desired/store.ts'
import { touchesOf } from '../desired/spec.ts'

/** The run kind of optimizations (and the prefix of their live events: `optimization:step:started`). */
export const OPTIMIZATION_KIND = 'optimization'

/** Wall-time budget of a validate invocation: two scrapes plus a batch of paired prompts. */
const VALIDATE_TIMEOUT_MS = 60_000

function specFor(s: RolloutStep): StepSpec<OptimizationDeps> {
  switch (s.action) {
    case 'launch': return { run: guarded(launchStep, true) }
    case 'set_weight': return { run: guarded(setWeightStep(s.weight!)) }
    case 'validate': return { run: guarded(validateStep(s.weight!)), timeoutMs: VALIDATE_TIMEOUT_MS }
    case 'promote': return { run: guarded(promoteStep), irreversible: true }
    case 'retire': return { run: retireStep }
  }
}

/** The workflow definition the engine runs for optimizations. */
export function optimizationDefinition(): WorkflowDefinition<OptimizationDeps> {
  return {
    kind: OPTIMIZATION_KIND,
    steps: Object.fromEntries(allRolloutSteps().map((s) => [s.name, specFor(s)])),
    rollback: rollbackStep,
    finish: finishStep,
    onTransition: syncRecommendation,
  }
}

const REC_STATUS_OF: Partial<Record<RunStatus, RecommendationStatus>> = {
  running: 'executing', completed: 'completed', rolled_back: 'rolled_back', failed: 'failed',
}

/** Keeps the recommendation's status in step with its optimization (same transaction), and says so live. */
async function syncRecommendation(tx: Db, t: Transition, prev: Run, deps: OptimizationDeps): Promise<LiveEvent[]> {
  const recId = t.next.subjectId
  const status = REC_STATUS_OF[t.next.status]
  if (!recId || !status || t.next.status === prev.status) return []
  const from: RecommendationStatus[] = status === 'executing' ? ['approved'] : ['approved', 'executing']
  if (!(await setRecommendationStatus(tx, recId, status, deps.clock.now(), from))) return []
  if (status === 'completed') await recordCompleted(tx, t.next, recId, deps)
  await recordAudit(tx, deps.clock, {
    customerId: t.next.customerId, actor: 'workflow', action: `recommendation:${status}`, subjectType: 'recommendation', subjectId: recId,
    detail: { optimization_id: t.next.id, reason: t.next.abortReason },
  })
  return [{ type: 'recommendation:status:changed', customerId: t.next.customerId, id: recId, data: { status, optimization_id: t.next.id }, at: deps.clock.now().toISOString() }]
}

/** A completed change becomes the deployment's next desired-state generation (same transaction). */
async function recordCompleted(tx: Db, run: Run, recId: string, deps: OptimizationDeps): Promise<void> {
  const c = run.context as unknown as OptimizationContext
  const state = await recordExecutedChange(tx, { customerId: run.customerId, deploymentId: c.deployment_id, plan: c.plan, touches: c.touches ?? touchesOf(c.plan, c.recommendation.type, null), optimizationId: run.id, recommendationId: recId, at: deps.clock.now() })
  await recordAudit(tx, deps.clock, { customerId: run.customerId, actor: 'workflow', action: 'desired:generation:changed', subjectType: 'deployment', subjectId: c.deployment_id, detail: { generation: state.generation, ...state.lastChange } })
}

/** Options of a new optimization run. */
export interface NewOptimization { rec: StoredRecommendation; createdBy: string; at: Date; rebase?: boolean; baseConfig?: EngineConfig; id?: string }

/** The per-deployment lock key: never two optimizations changing one deployment at once. */
export function deploymentLockKey(customerId: string, deploymentId: string): string {
  return `deployment:${customerId}:${deploymentId}`
}

/** Creates the run of an approved recommendation inside the caller's transaction (null if one exists). */
export async function createOptimizationRun(tx: Db, n: NewOptimization): Promise<Run | null> {
  const { rec } = n
  const deploymentId = rec.plan.deploymentId ?? rec.deploymentId
  const context: OptimizationContext = {
    recommendation: {
      id: rec.id, type: rec.type, agent_type: rec.agentType, title: rec.title, risk_level: rec.riskLevel, confidence: rec.confidence,
      estimated_savings_usd: rec.estimatedSavingsUsd, predicted: rec.predicted,
      features: featuresOf({ type: rec.type, riskLevel: rec.riskLevel, confidence: rec.confidence, estimatedSavingsUsd: rec.estimatedSavingsUsd, predicted: rec.predicted, plan: rec.plan }),
    },
    plan: rec.plan, deployment_id: deploymentId, ...(n.rebase ? { rebase: true } : {}), ...(n.baseConfig ? { base_config: n.baseConfig } : {}),
    ...(rec.baseGeneration !== null ? { base_generation: rec.baseGeneration } : {}), touches: rec.touches.length ? rec.touches : touchesOf(rec.plan, rec.type, null),
  }
  return insertRun(tx, {
    ...(n.id ? { id: n.id } : {}),
    kind: OPTIMIZATION_KIND, customerId: rec.customerId, subjectId: rec.id, stepNames: rolloutStepsFor(rec.type).map((s) => s.name),
    context: context as unknown as Record<string, unknown>, lockKey: deploymentLockKey(rec.customerId, deploymentId), createdBy: n.createdBy, at: n.at,
  })
}

/**
 * Per deployment of a customer: whether a started optimization has not ended yet (a rollout or
 * rollback runs), and when the last one ended. Agents judge telemetry only from then on.
 */
export async function changeActivity(db: Db, customerId: string): Promise<Map<string, { active: boolean; endedAt: Date | null }>> {
  const rows = await db.query<{ deployment_id: string; active: boolean; ended_at: Date | null }>(
    `SELECT context->>'deployment_id' AS deployment_id,
            bool_or(started_at IS NOT NULL AND completed_at IS NULL AND status IN ('running', 'paused')) AS active,
            max(completed_at) AS ended_at
       FROM workflow_runs WHERE customer_id = $1 AND kind = $2 AND started_at IS NOT NULL AND context ? 'deployment_id'
      GROUP BY 1`, [customerId, OPTIMIZATION_KIND])
  return new Map(rows.map((r) => [r.deployment_id, { active: r.active, endedAt: r.ended_at ? new Date(r.ended_at) : null }]))
}
