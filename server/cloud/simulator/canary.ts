/**
 * Traffic between a deployment's stable and canary groups (CloudProvider.setCanary /
 * promoteCanary / abortCanary). Counters are brought up to date before any change, so metrics
 * of the past are those of the groups that were really serving.
 */
import type { Db } from '../../db/db.ts'
import type { FleetDeployment, ProviderResult, ServingGroup } from '../provider.ts'
import { providerError, runChange, type SimContext } from './context.ts'
import { checkEngineConfig, checkWeight, toFleetDeployment } from './deployments.ts'
import { groupMembers, stateAt } from './instances.ts'
import { accrueDeployment } from './scrape.ts'
import { poolsOf } from './mixed-pool.ts'
import { instancesOfDeployment, listDeployments, listInstances, setGroup, updateRouting, type DeploymentRow, type InstanceRow } from './store.ts'

type DeploymentReq = { changeId: string; customerId: string; deploymentId: string }

async function loadDeployment(tx: Db, customerId: string, id: string): Promise<DeploymentRow | undefined> {
  return (await listDeployments(tx, customerId, String(id)))[0]
}

async function view(tx: Db, d: DeploymentRow, now: Date): Promise<FleetDeployment> {
  const [fresh] = await listDeployments(tx, d.customer_id, d.id)
  return toFleetDeployment(fresh!, await instancesOfDeployment(tx, d.customer_id, d.id), now)
}

/** Why these instances cannot form the canary group of `d`, or null. */
function canaryMembersProblem(d: DeploymentRow, ids: string[], rows: InstanceRow[], now: Date): string | null {
  if (ids.length === 0) return 'a canary group needs at least one instance'
  const byId = new Map(rows.map((r) => [r.id, r]))
  for (const id of ids) {
    const r = byId.get(id)
    if (!r) return `instance ${id} not found`
    if (stateAt(r, now) === 'terminated') return `instance ${id} is terminated`
    if (r.deployment_id !== null && r.deployment_id !== d.id && r.grp !== null) return `instance ${id} serves deployment ${r.deployment_id}`
    if (r.deployment_id === d.id && r.grp === 'stable') return `instance ${id} is in the stable group`
  }
  return null
}

/** Creates or updates the canary group and its traffic weight (0–100). */
export async function setCanary(ctx: SimContext, req: DeploymentReq & { group: ServingGroup; weight: number }): Promise<ProviderResult<FleetDeployment>> {
  return runChange(ctx, req.customerId, req.changeId, 'setCanary', async (tx, now) => {
    const badWeight = checkWeight(req.weight)
    if (badWeight) return { ok: false, error: badWeight }
    const d = await loadDeployment(tx, req.customerId, req.deploymentId)
    if (!d) return providerError('not_found', `deployment ${req.deploymentId} not found`)
    const ids = Array.isArray(req.group?.instanceIds) ? [...new Set(req.group.instanceIds.map(String))] : []
    const rows = await listInstances(tx, req.customerId, ids)
    const problem = canaryMembersProblem(d, ids, rows, now)
    if (problem) return providerError(problem.endsWith('not found') ? 'not_found' : 'invalid', problem)
    // a diversified group mixes types: the config must fit every one of them
    for (const pool of poolsOf(rows)) {
      const badConfig = checkEngineConfig(req.group.config, d.model, pool.gpuType, pool.gpusPerInstance)
      if (badConfig) return { ok: false, error: badConfig }
    }
    await accrueDeployment(tx, d, now)
    const current = groupMembers(await instancesOfDeployment(tx, d.customer_id, d.id), d.id, 'canary', now)
    await setGroup(tx, d.customer_id, current.map((r) => r.id).filter((id) => !ids.includes(id)), d.id, null)
    await setGroup(tx, d.customer_id, ids, d.id, 'canary')
    await updateRouting(tx, d.customer_id, d.id, { stable: d.stable_config, canary: req.group.config, weight: req.weight, at: now })
    await accrueDeployment(tx, (await loadDeployment(tx, d.customer_id, d.id))!, now)
    return { ok: true, value: await view(tx, d, now) }
  })
}

/** Makes the canary the stable group at 100%; the old stable instances keep running, detached. */
export async function promoteCanary(ctx: SimContext, req: DeploymentReq): Promise<ProviderResult<{ retiredInstanceIds: string[] }>> {
  return runChange(ctx, req.customerId, req.changeId, 'promoteCanary', async (tx, now) => {
    const d = await loadDeployment(tx, req.customerId, req.deploymentId)
    if (!d) return providerError('not_found', `deployment ${req.deploymentId} not found`)
    if (!d.canary_config) return providerError('invalid', `deployment ${d.id} has no canary to promote`)
    const rows = await instancesOfDeployment(tx, d.customer_id, d.id)
    const canary = groupMembers(rows, d.id, 'canary', now)
    if (canary.length === 0) return providerError('invalid', `canary group of ${d.id} has no live instance`)
    const stable = groupMembers(rows, d.id, 'stable', now)
    await accrueDeployment(tx, d, now)
    await setGroup(tx, d.customer_id, stable.map((r) => r.id), d.id, null)
    await setGroup(tx, d.customer_id, canary.map((r) => r.id), d.id, 'stable')
    await updateRouting(tx, d.customer_id, d.id, { stable: d.canary_config, canary: null, weight: 0, at: now })
    return { ok: true, value: { retiredInstanceIds: stable.map((r) => r.id) } }
  })
}

/** Sends all traffic back to stable at once and detaches the canary group (its instances keep running). */
export async function abortCanary(ctx: SimContext, req: DeploymentReq): Promise<ProviderResult<{ canaryInstanceIds: string[] }>> {
  return runChange(ctx, req.customerId, req.changeId, 'abortCanary', async (tx, now) => {
    const d = await loadDeployment(tx, req.customerId, req.deploymentId)
    if (!d) return providerError('not_found', `deployment ${req.deploymentId} not found`)
    if (!d.canary_config) return { ok: true, value: { canaryInstanceIds: [] } }
    const canary = groupMembers(await instancesOfDeployment(tx, d.customer_id, d.id), d.id, 'canary', now)
    await accrueDeployment(tx, d, now)
    await setGroup(tx, d.customer_id, canary.map((r) => r.id), d.id, null)
    await updateRouting(tx, d.customer_id, d.id, { stable: d.stable_config, canary: null, weight: 0, at: now })
    return { ok: true, value: { canaryInstanceIds: canary.map((r) => r.id) } }
  })
}
