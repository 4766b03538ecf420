/**
 * `deploy_canary` (10%), `scale_to_50_percent` (50%), `full_migration`/`full_rollout` (promotion,
 * the point of no return) and `terminate_ondemand`/`retire_old_instances`. Each is one idempotent
 * provider call keyed by the step's changeId, then a check that the fleet is as intended.
 */
import type { StepEnv } from '../engine.ts'
import type { Run, StepResult } from '../workflow.ts'
import { ctxOf, findDeployment, fromProviderError, pendingActuation, sameSet, type OptimizationDeps } from './context.ts'

/** A step that routes `weight`% of the deployment's traffic to the canary group. */
export function setWeightStep(weight: number) {
  return async (env: StepEnv<OptimizationDeps>, run: Run): Promise<StepResult> => {
    const c = ctxOf(run)
    if (!c.canary_ids?.length) return { kind: 'abort', reason: 'no canary instances to route traffic to' }
    const actuator = await env.deps.actuators.forCustomer(run.customerId)
    const r = await actuator.setCanary({
      changeId: env.changeId(), customerId: run.customerId, deploymentId: c.deployment_id, label: c.recommendation.title,
      group: { instanceIds: c.canary_ids, config: c.plan.config }, weight,
    })
    if (r.ok === 'pending') return pendingActuation(env, run, actuator.kind as 'git' | 'manual', r)
    if (!r.ok) return fromProviderError(`set canary weight ${weight}%`, r.error)
    const canary = r.value.canary
    if (!canary || !sameSet(canary.instanceIds, c.canary_ids)) return { kind: 'abort', reason: 'provider did not attach the canary group as asked' }
    return { kind: 'advance', detail: { canary_weight: canary.weight, canary_instances: canary.instanceIds, stable_instances: r.value.stable.instanceIds } }
  }
}

/** Promotes the canary to stable at 100%; afterwards the change can no longer be rolled back. */
export async function promoteStep(env: StepEnv<OptimizationDeps>, run: Run): Promise<StepResult> {
  const c = ctxOf(run)
  const actuator = await env.deps.actuators.forCustomer(run.customerId)
  const r = await actuator.promoteCanary({ changeId: env.changeId(), customerId: run.customerId, deploymentId: c.deployment_id, label: c.recommendation.title })
  if (r.ok === 'pending') return pendingActuation(env, run, actuator.kind as 'git' | 'manual', r)
  if (!r.ok) return fromProviderError('promote canary', r.error)
  // an advisory actuator cannot know what was retired: the original stable group, less what now serves
  c.retired_ids = r.value.retiredInstanceIds.length ? r.value.retiredInstanceIds : (c.original?.instance_ids ?? []).filter((id) => !(c.canary_ids ?? []).includes(id))
  c.promoted_at ??= env.now.toISOString()
  const { deployment } = await findDeployment(env.deps.cloud, run.customerId, c.deployment_id)
  if (!deployment || deployment.canary || !sameSet(deployment.stable.instanceIds, c.canary_ids ?? [])) {
    return { kind: 'error', retryable: true, reason: 'after promotion the stable group is not the canary group' }
  }
  return { kind: 'advance', detail: { canary_weight: 100, stable_instances: deployment.stable.instanceIds, retired_instances: c.retired_ids } }
}

/** Terminates the instances the promotion retired (the old on-demand / old-config group). */
export async function retireStep(env: StepEnv<OptimizationDeps>, run: Run): Promise<StepResult> {
  const c = ctxOf(run)
  const ids = c.retired_ids ?? []
  if (ids.length > 0) {
    const r = await env.deps.cloud.terminateInstances({ changeId: env.changeId(), customerId: run.customerId, instanceIds: ids })
    if (!r.ok) return fromProviderError('terminate retired instances', r.error)
  }
  const { instances } = await findDeployment(env.deps.cloud, run.customerId, c.deployment_id)
  const alive = instances.filter((i) => ids.includes(i.id) && i.state !== 'terminated')
  if (alive.length > 0) return { kind: 'error', retryable: true, reason: `${alive.length} retired instance(s) still running` }
  return { kind: 'advance', detail: { terminated: ids } }
}
