/**
 * Growing a deployment's stable group with instances launched for it (CloudProvider.addToStable):
 * the reconciler's replacement capacity. Counters are brought up to date before and after, as for
 * canary changes, so the metrics of the past are those of the instances that really served.
 */
import type { FleetDeployment, ProviderResult } from '../provider.ts'
import { providerError, runChange, type SimContext } from './context.ts'
import { checkEngineConfig, toFleetDeployment } from './deployments.ts'
import { stateAt } from './instances.ts'
import { poolsOf } from './mixed-pool.ts'
import { accrueDeployment } from './scrape.ts'
import { instancesOfDeployment, listDeployments, listInstances, setGroup, type DeploymentRow, type InstanceRow } from './store.ts'

/** Why these instances cannot join the stable group of `d`, or null. */
function membersProblem(d: DeploymentRow, ids: string[], rows: InstanceRow[], now: Date): string | null {
  if (ids.length === 0) return 'instanceIds must name at least one instance'
  const byId = new Map(rows.map((r) => [r.id, r]))
  for (const id of ids) {
    const r = byId.get(id)
    if (!r) return `instance ${id} not found`
    if (stateAt(r, now) === 'terminated') return `instance ${id} is terminated`
    if (r.deployment_id !== d.id) return `instance ${id} was not launched for deployment ${d.id}`
    if (r.grp === 'canary') return `instance ${id} is in the canary group`
  }
  return null
}

/** Adds live instances launched for the deployment to its stable group (already-members are fine). */
export async function addToStable(ctx: SimContext, req: { changeId: string; customerId: string; deploymentId: string; instanceIds: string[] }): Promise<ProviderResult<FleetDeployment>> {
  return runChange(ctx, req.customerId, req.changeId, 'addToStable', async (tx, now) => {
    const [d] = await listDeployments(tx, req.customerId, String(req.deploymentId))
    if (!d) return providerError('not_found', `deployment ${req.deploymentId} not found`)
    const ids = Array.isArray(req.instanceIds) ? [...new Set(req.instanceIds.map(String))] : []
    const rows = await listInstances(tx, req.customerId, ids)
    const problem = membersProblem(d, ids, rows, now)
    if (problem) return providerError(problem.endsWith('not found') ? 'not_found' : 'invalid', problem)
    for (const pool of poolsOf(rows)) {
      const badConfig = checkEngineConfig(d.stable_config, d.model, pool.gpuType, pool.gpusPerInstance)
      if (badConfig) return { ok: false, error: badConfig }
    }
    await accrueDeployment(tx, d, now)
    await setGroup(tx, d.customer_id, ids, d.id, 'stable')
    const [fresh] = await listDeployments(tx, d.customer_id, d.id)
    await accrueDeployment(tx, fresh!, now)
    return { ok: true, value: toFleetDeployment(fresh!, await instancesOfDeployment(tx, d.customer_id, d.id), now) }
  })
}
