/**
 * `create_spot_instances` / `create_canary_instances`: captures the original stable group (what a
 * rollback restores), the run-rate before the change and the analysis thresholds, then launches
 * the plan's pools (one changeId per pool, so a retried step never launches twice) and waits
 * until every new instance runs.
 */
import { rebasePlan, poolsOfInstances, thresholdsFor } from '../../rollouts/rollout.ts'
import { monthlyRunRateUsd } from '../../spend/run-rate.ts'
import { customerPreferences } from '../../optimizations/store.ts'
import { gatePoliciesOf } from '../../gates/store.ts'
import type { StepEnv } from '../engine.ts'
import type { Run, StepResult } from '../workflow.ts'
import { ctxOf, findDeployment, fromProviderError, launchedIds, type OptimizationDeps } from './context.ts'

/** Clock time between checks that launched instances are running (simulated launch takes 1–2 min). */
export const LAUNCH_POLL_MS = 20_000
/** A launch still pending after this long aborts the rollout (cloud stuck or capacity gone). */
export const LAUNCH_DEADLINE_MS = 30 * 60_000

/** The launch step. */
export async function launchStep(env: StepEnv<OptimizationDeps>, run: Run): Promise<StepResult> {
  const c = ctxOf(run)
  const { cloud } = env.deps
  if (!c.original) {
    const captured = await captureOriginal(env, run)
    if (captured) return captured
  }
  for (const [i, pool] of c.plan.pools.entries()) {
    if (c.launched?.[i]) continue
    const r = await cloud.launchInstances({ changeId: env.changeId(`pool${i}`), customerId: run.customerId, deploymentId: c.deployment_id, pool })
    if (!r.ok) return fromProviderError(`launch ${pool.count}× ${pool.instanceType} ${pool.pricing}`, r.error)
    c.launched = { ...(c.launched ?? {}), [i]: r.value.map((x) => x.id) }
  }
  return awaitRunning(env, run)
}

async function captureOriginal(env: StepEnv<OptimizationDeps>, run: Run): Promise<StepResult | null> {
  const c = ctxOf(run)
  const { deployment, instances } = await findDeployment(env.deps.cloud, run.customerId, c.deployment_id)
  if (!deployment) return { kind: 'abort', reason: `deployment ${c.deployment_id} not found` }
  if (deployment.canary) return { kind: 'abort', reason: `deployment ${c.deployment_id} already has a canary group (another change in progress outside OptiInfra)` }
  if (deployment.stable.instanceIds.length === 0) return { kind: 'abort', reason: `deployment ${c.deployment_id} has no stable instances` }
  const stable = instances.filter((i) => deployment.stable.instanceIds.includes(i.id))
  if (c.rebase) c.plan = rebasePlan(c.plan, c.recommendation.type, { config: deployment.stable.config, pools: poolsOfInstances(stable) }, c.base_config ?? deployment.stable.config)
  c.original = { instance_ids: [...deployment.stable.instanceIds], config: deployment.stable.config, captured_at: env.now.toISOString() }
  c.thresholds = thresholdsFor(deployment.slo, await customerPreferences(env.deps.db, run.customerId))
  c.gate_policies = await gatePoliciesOf(env.deps.db, run.customerId, deployment, c.thresholds)
  c.run_rate_before_usd = await monthlyRunRateUsd(env.deps.cloud, run.customerId, env.now, c.deployment_id)
  return null
}

async function awaitRunning(env: StepEnv<OptimizationDeps>, run: Run): Promise<StepResult> {
  const c = ctxOf(run)
  const ids = launchedIds(c)
  const { instances } = await findDeployment(env.deps.cloud, run.customerId, c.deployment_id)
  const mine = instances.filter((i) => ids.includes(i.id))
  const gone = mine.filter((i) => i.state === 'terminated')
  if (gone.length > 0 || mine.length < ids.length) return { kind: 'abort', reason: `launched instance(s) lost before serving: ${gone.map((i) => i.id).join(', ') || 'missing'}` }
  const pending = mine.filter((i) => i.state === 'pending')
  const detail = { instances: ids, pools: c.plan.pools, plan: c.plan.summary }
  if (pending.length === 0) {
    c.canary_ids = ids
    return { kind: 'advance', detail: { ...detail, running: ids.length } }
  }
  const started = Date.parse(run.steps[run.stepIndex]?.started_at ?? env.now.toISOString())
  if (env.now.getTime() - started > LAUNCH_DEADLINE_MS) return { kind: 'abort', reason: `${pending.length} instance(s) still pending after ${LAUNCH_DEADLINE_MS / 60_000} min` }
  return { kind: 'wait', until: new Date(env.now.getTime() + LAUNCH_POLL_MS), reason: `${pending.length}/${ids.length} instance(s) starting`, detail: { ...detail, pending: pending.length } }
}
