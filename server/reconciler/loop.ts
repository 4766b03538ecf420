/**
 * The reconcile pass: for every deployment of every customer, compare observed with intended
 * capacity (drift.ts), take at most one step (act.ts), and open or resolve incidents
 * (incidents.ts). Actions left running by a crashed pass are resumed first. While a workflow run
 * holds the deployment's lock (a change rolling out) the reconciler only watches for incidents.
 * Idempotent: a pass over a fleet that matches its intent does nothing.
 */
import type { FleetDeployment, FleetInstance, PriceQuote } from '../cloud/provider.ts'
import { listSlos, sloOf } from '../slo/store.ts'
import { readSignalsByDeployment } from '../telemetry/signals.ts'
import { runAction, type ReconcilerDeps } from './act.ts'
import { decide, type IntendedPool } from './drift.ts'
import { onDemandFloor, type FloorDemand } from './floor.ts'
import { learnedWorkloadOf } from '../agents/state.ts'
import { checkIncidents } from './incidents.ts'
import { deploymentLockKey } from '../workflows/optimization.ts'
import { beginAction, changeInProgress, lastActions, openIncidents, runningActions, spotRetries, type Action } from './store.ts'

/** Telemetry window an SLO breach is judged on (fleet time). */
export const SLO_WINDOW_MS = 15 * 60_000

/** Fleet time a deployment waits after a failed action before the next try (launch faults, quotas). */
export const FAILED_BACKOFF_MS = 60_000

/** What one pass did. */
export interface PassReport { deployments: number; actions: number; resumed: number }

/** What a pass reads once per customer and every deployment's decision uses. */
interface PassState { pools: Map<string, IntendedPool[]>; last: Map<string, Action>; spotRetry: Map<string, Date> }

async function reconcileDeployment(deps: ReconcilerDeps, customerId: string, d: FleetDeployment, instances: FleetInstance[], quotes: PriceQuote[], demand: FloorDemand, state: PassState): Promise<number> {
  const pools = state.pools.get(d.id) ?? []
  if (pools.length === 0) return 0
  const now = deps.clock.now()
  const last = state.last.get(d.id)
  if (last?.status === 'failed' && last.finishedAt && now.getTime() - last.finishedAt.getTime() < FAILED_BACKOFF_MS) return 0
  const retryAt = state.spotRetry.get(d.id)
  const floor = onDemandFloor(d, pools, quotes, demand, deps.settings.onDemandFloor)
  const keepFloor = deps.settings.onDemandFloor !== null || d.latencyCritical
  const plan = decide({ deployment: d, instances, pools, floor, keepFloor, quotes, spotRetryDue: !retryAt || retryAt.getTime() <= now.getTime() })
  // the lock is read last, just before acting: a rollout may have begun since the pass started
  if (!plan || (await changeInProgress(deps.db, deploymentLockKey(customerId, d.id)))) return 0
  const action = await beginAction(deps.db, customerId, d.id, plan, now)
  if (!action) return 0
  await runAction(deps, action)
  return 1
}

/** The deployment's running stable instances. */
function stableOf(d: FleetDeployment, instances: FleetInstance[]): FleetInstance[] {
  const ids = new Set(d.stable.instanceIds)
  return instances.filter((i) => ids.has(i.id) && i.state !== 'terminated')
}

/** One customer's pass; returns the deployments looked at and the actions taken. */
export async function reconcileCustomer(deps: ReconcilerDeps, customerId: string): Promise<{ deployments: number; actions: number }> {
  const { instances, deployments } = await deps.cloud.listResources(customerId)
  if (deployments.length === 0) return { deployments: 0, actions: 0 }
  const now = deps.clock.now()
  const [slos, signals, open, pools, last, spotRetry] = await Promise.all([
    listSlos(deps.db, customerId),
    readSignalsByDeployment(deps.db, customerId, deployments.map((d) => d.id), { from: new Date(now.getTime() - SLO_WINDOW_MS), to: now }),
    openIncidents(deps.db, customerId),
    deps.intended.intended(customerId, deployments, instances),
    lastActions(deps.db, customerId),
    spotRetries(deps.db, customerId),
  ])
  const state: PassState = { pools, last, spotRetry }
  const prices = new Map<string, Promise<PriceQuote[]>>()
  let actions = 0
  for (const d of deployments) {
    const slo = sloOf(slos, d, now)
    const measured = signals.get(d.id) ?? null
    await checkIncidents(deps, customerId, d, instances, slo, measured, new Set(open.filter((i) => i.deploymentId === d.id).map((i) => i.kind)))
    const key = `${d.cloud}/${d.region}`
    if (!prices.has(key)) prices.set(key, deps.cloud.getPrices(d.cloud, d.region))
    try {
      const { workload } = learnedWorkloadOf(d, stableOf(d, instances), measured, now.toISOString())
      actions += await reconcileDeployment(deps, customerId, d, instances, await prices.get(key)!, { e2eP95Ms: slo.e2e_p95_ms, workload }, state)
    } catch (err) { deps.log.warn({ err, customerId, deployment: d.id }, 'reconcile failed for a deployment; next pass retries') }
  }
  return { deployments: deployments.length, actions }
}

/** A pass over every customer: resume unfinished actions, then reconcile each fleet. */
export async function reconcileAll(deps: ReconcilerDeps): Promise<PassReport> {
  const report: PassReport = { deployments: 0, actions: 0, resumed: 0 }
  for (const a of await runningActions(deps.db)) { await runAction(deps, a); report.resumed += 1 }
  const customers = await deps.db.query<{ id: string }>('SELECT id FROM customers ORDER BY created_at, id')
  for (const c of customers) {
    const r = await reconcileCustomer(deps, c.id)
    report.deployments += r.deployments
    report.actions += r.actions
  }
  return report
}
