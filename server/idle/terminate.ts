/**
 * Terminating an idle instance at the customer's request: checked against the fleet as it is now
 * (an instance that has since been given a deployment is refused), idempotent (the provider's
 * change id is derived from the instance, and an instance already gone answers as terminated),
 * audited with the money it saves, and announced live.
 */
import type { CloudProvider } from '../cloud/provider.ts'
import type { Clock } from '../clock.ts'
import type { Db } from '../db/db.ts'
import type { LiveHub } from '../http/live.ts'
import { errors } from '../errors.ts'
import { recordAudit } from '../audit/store.ts'
import { RUN_RATE_WINDOW_MS } from '../spend/run-rate.ts'
import { monthlyUsdOf } from './idle.ts'
import { cents } from '../agents/scoring.ts'

/** What termination needs. */
export interface TerminateDeps { db: Db; clock: Clock; live: LiveHub; cloud: Pick<CloudProvider, 'listResources' | 'getBill' | 'terminateInstances'> }

/** The outcome: the instance is gone, and what it was costing a month (0 when it was gone already). */
export interface TerminateOutcome { instanceId: string; state: 'terminated'; monthlyUsdSaved: number; alreadyTerminated: boolean }

export async function terminateIdleInstance(deps: TerminateDeps, actor: string, customerId: string, instanceId: string): Promise<TerminateOutcome> {
  const at = deps.clock.now()
  const { instances } = await deps.cloud.listResources(customerId)
  const instance = instances.find((i) => i.id === instanceId)
  if (!instance) throw new errors.OPT_NOT_FOUND('Instance')
  if (instance.state === 'terminated') return { instanceId, state: 'terminated', monthlyUsdSaved: 0, alreadyTerminated: true }
  if (instance.deploymentId !== null) throw new errors.OPT_INSTANCE_NOT_IDLE(instanceId, instance.deploymentId)
  const lines = await deps.cloud.getBill(customerId, new Date(at.getTime() - RUN_RATE_WINDOW_MS), at)
  const monthlyUsdSaved = cents(monthlyUsdOf(instance, lines, at))
  const r = await deps.cloud.terminateInstances({ changeId: `idle-terminate:${instanceId}`, customerId, instanceIds: [instanceId] })
  if (!r.ok) throw r.error.retryable ? new errors.OPT_UNAVAILABLE(`the cloud did not terminate ${instanceId}: ${r.error.message}`) : new errors.OPT_STATE_INVALID(`the cloud refused to terminate ${instanceId}: ${r.error.message}`)
  await recordAudit(deps.db, deps.clock, {
    customerId, actor, action: 'instance:terminated', subjectType: 'instance', subjectId: instanceId,
    detail: { reason: 'idle: serving no deployment', monthly_usd_saved: monthlyUsdSaved, instance_type: instance.instanceType, pricing: instance.pricing, cloud: instance.cloud, region: instance.region },
  })
  await deps.live.publish({ type: 'fleet:instance:terminated', customerId, id: instanceId, at: at.toISOString(), data: { reason: 'idle', monthly_usd_saved: monthlyUsdSaved } }).catch(() => undefined)
  return { instanceId, state: 'terminated', monthlyUsdSaved, alreadyTerminated: false }
}
