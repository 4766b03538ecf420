/**
 * Carrying out one reconciler action through the CloudProvider seam. Every call's change id is
 * derived from the stored action, so resuming an action after a crash repeats no launch and no
 * termination. Launches try the plan's pools in order; the instances are adopted into the intended
 * capacity before they join the stable group. Each settled action is audited with its reason and
 * published live.
 */
import type { Logger } from 'pino'
import type { Clock } from '../clock.ts'
import type { CloudProvider, ProviderError } from '../cloud/provider.ts'
import type { Db } from '../db/db.ts'
import type { LiveHub } from '../http/live.ts'
import { recordAudit } from '../audit/store.ts'
import type { IntendedCapacitySource } from './intended.ts'
import { deferSpot, finishAction, type Action } from './store.ts'

/** What the reconciler runs with. */
export interface ReconcilerDeps {
  db: Db
  clock: Clock
  log: Logger
  live: LiveHub
  cloud: CloudProvider
  intended: IntendedCapacitySource
  /** Operator's fixed on-demand floor (null: the modelled default) and the wait after a refused return to spot. */
  settings: { onDemandFloor: number | null; spotRetryMs: number }
}

/** The audit actor of reconciler actions. */
export const RECONCILER_ACTOR = 'reconciler'

type Outcome = { status: 'done' | 'failed'; result: Record<string, unknown> }

async function launchInto(deps: ReconcilerDeps, a: Action): Promise<Outcome> {
  if (a.plan.kind === 'retire') throw new Error('retire is not a launch')
  const attempts: { pool: string; error: ProviderError }[] = []
  for (const [i, c] of a.plan.candidates.entries()) {
    const pool = { ...c, count: a.plan.count }
    const launched = await deps.cloud.launchInstances({ changeId: `reconciler:${a.id}:launch:${i}`, customerId: a.customerId, deploymentId: a.deploymentId, pool })
    const name = `${c.instanceType} ${c.pricing}`
    if (!launched.ok) { attempts.push({ pool: name, error: launched.error }); continue }
    const ids = launched.value.map((x) => x.id)
    await deps.intended.adopt(a.customerId, a.deploymentId, ids)
    const joined = await deps.cloud.addToStable({ changeId: `reconciler:${a.id}:join`, customerId: a.customerId, deploymentId: a.deploymentId, instanceIds: ids })
    if (!joined.ok) return { status: 'failed', result: { launched: ids, pool: { ...pool }, attempts, error: joined.error } }
    return { status: 'done', result: { launched: ids, pool: { ...pool }, attempts } }
  }
  return { status: 'failed', result: { attempts } }
}

async function retire(deps: ReconcilerDeps, a: Action): Promise<Outcome> {
  if (a.plan.kind !== 'retire') throw new Error('not a retire action')
  const r = await deps.cloud.terminateInstances({ changeId: `reconciler:${a.id}:terminate`, customerId: a.customerId, instanceIds: a.plan.instanceIds })
  return r.ok ? { status: 'done', result: { terminated: r.value.terminated } } : { status: 'failed', result: { error: r.error } }
}

/** Runs (or resumes) a stored action to its end, records it and tells the portal. */
export async function runAction(deps: ReconcilerDeps, a: Action): Promise<Outcome> {
  const outcome = a.plan.kind === 'retire' ? await retire(deps, a) : await launchInto(deps, a)
  const now = deps.clock.now()
  if (a.plan.kind === 'return_to_spot' && outcome.status === 'failed') await deferSpot(deps.db, a.customerId, a.deploymentId, new Date(now.getTime() + deps.settings.spotRetryMs))
  await deps.db.tx(async (tx) => {
    await finishAction(tx, a.id, outcome.status, outcome.result, now)
    await recordAudit(tx, deps.clock, {
      customerId: a.customerId, actor: RECONCILER_ACTOR, action: `reconciler:${a.kind}${outcome.status === 'failed' ? ':failed' : ''}`,
      subjectType: 'deployment', subjectId: a.deploymentId, detail: { action_id: a.id, reason: a.reason, ...outcome.result },
    })
  })
  if (outcome.status === 'failed') deps.log.warn({ action: a.id, deployment: a.deploymentId, result: outcome.result }, 'reconciler action failed')
  await deps.live.publish({
    type: 'reconciler:action', customerId: a.customerId, id: a.id, at: now.toISOString(),
    data: { deployment_id: a.deploymentId, kind: a.kind, reason: a.reason, status: outcome.status, ...outcome.result },
  }).catch(() => undefined)
  return outcome
}
