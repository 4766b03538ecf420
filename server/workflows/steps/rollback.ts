/**
 * The abort path (Argo: abort is a flag, the normal loop converges to stable): all traffic back to
 * stable at once, the canary's instances terminated, then a check that the stable group is the
 * original one with the original configuration. Idempotent and retried by the engine until the
 * check passes; the time from the abort decision to traffic-on-stable and to verified is stored.
 */
import type { StepEnv } from '../engine.ts'
import type { Run, StepResult } from '../workflow.ts'
import { ctxOf, digest, findDeployment, fromProviderError, launchedIds, pendingActuation, sameJson, sameSet, type OptimizationDeps } from './context.ts'

/** The rollback step. */
export async function rollbackStep(env: StepEnv<OptimizationDeps>, run: Run): Promise<StepResult> {
  const c = ctxOf(run)
  const { cloud } = env.deps
  const abortedAt = Date.parse(c.abort?.at ?? env.now.toISOString())
  c.rollback = { ...(c.rollback ?? {}), started_at: (c.rollback?.started_at as string | undefined) ?? env.now.toISOString() }
  if (c.promoted_at) return { kind: 'error', retryable: false, reason: `the change was promoted at ${c.promoted_at}; it is live and cannot be rolled back automatically` }
  const found = await findDeployment(cloud, run.customerId, c.deployment_id)
  const actuator = await env.deps.actuators.forCustomer(run.customerId)
  // a GitOps rollback is a revert commit even when the controller never attached the canary
  if (found.deployment?.canary || actuator.kind !== 'direct') {
    const r = await actuator.abortCanary({ changeId: env.changeId('abort_canary'), customerId: run.customerId, deploymentId: c.deployment_id, label: c.recommendation.title, reason: c.abort?.reason ?? 'rollback' })
    if (r.ok === 'pending') return pendingActuation(env, run, actuator.kind as 'git' | 'manual', r)
    if (!r.ok) return fromProviderError('send traffic back to stable', r.error)
  }
  // stamped when the provider confirmed: the clock moves during the calls (a scaled clock a lot)
  c.rollback.traffic_restored_at ??= env.deps.clock.now().toISOString()
  const ours = launchedIds(c)
  const alive = found.instances.filter((i) => ours.includes(i.id) && i.state !== 'terminated').map((i) => i.id)
  if (alive.length > 0) {
    const r = await cloud.terminateInstances({ changeId: env.changeId(`terminate:${digest(alive)}`), customerId: run.customerId, instanceIds: alive })
    if (!r.ok) return fromProviderError('terminate canary instances', r.error)
  }
  const problem = await verify(env, run)
  if (problem) return { kind: 'error', retryable: true, reason: `rollback not verified yet: ${problem}` }
  const restored = Date.parse(c.rollback.traffic_restored_at as string)
  const verifiedAt = env.deps.clock.now()
  return {
    kind: 'done',
    detail: {
      verified: true, terminated: ours, reason: c.abort?.reason ?? null,
      traffic_restored_ms: Math.max(0, restored - abortedAt), duration_ms: Math.max(0, verifiedAt.getTime() - abortedAt), verified_at: verifiedAt.toISOString(),
    },
  }
}

/** Why the fleet is not back to the original stable state, or null when it is. */
async function verify(env: StepEnv<OptimizationDeps>, run: Run): Promise<string | null> {
  const c = ctxOf(run)
  const { deployment, instances } = await findDeployment(env.deps.cloud, run.customerId, c.deployment_id)
  if (!deployment) return `deployment ${c.deployment_id} not found`
  if (deployment.canary) return 'a canary group is still attached'
  if (c.original) {
    if (!sameSet(deployment.stable.instanceIds, c.original.instance_ids)) return 'stable instances differ from the original group'
    if (!sameJson(deployment.stable.config, c.original.config)) return 'stable configuration differs from the original'
  }
  const leftover = instances.filter((i) => launchedIds(c).includes(i.id) && i.state !== 'terminated')
  return leftover.length ? `${leftover.length} canary instance(s) still alive` : null
}
