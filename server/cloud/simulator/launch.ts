/**
 * Launching and terminating simulated instances (CloudProvider.launchInstances /
 * terminateInstances): catalog and fault checks, deterministic ids, boot delay.
 */
import { findInstanceType, type CatalogEntry } from '../catalog/catalog.ts'
import type { FleetInstance, PoolSpec, ProviderResult } from '../provider.ts'
import { providerError, runChange, type SimContext } from './context.ts'
import { launchBlock } from './faults.ts'
import { listFaults } from './fault-store.ts'
import { instanceIdFor, newInstanceRow, toFleetInstance } from './instances.ts'
import { listDeployments, listInstances, terminate, upsertInstance } from './store.ts'

/** Most instances one launch call may ask for (a guard against typos, like a cloud quota). */
export const MAX_LAUNCH_COUNT = 64
const PRICINGS = ['on-demand', 'spot', 'reserved']

/** The catalog entry a pool asks for, or why the pool cannot be launched. */
export function checkPool(ctx: SimContext, pool: PoolSpec): { ok: true; entry: CatalogEntry } | { ok: false; message: string } {
  if (!pool || typeof pool !== 'object') return { ok: false, message: 'pool is required' }
  if (pool.cloud !== 'aws' && pool.cloud !== 'gcp') return { ok: false, message: `unknown cloud ${String(pool.cloud)}` }
  const entry = findInstanceType(ctx.catalog, pool.cloud, pool.instanceType)
  if (!entry) return { ok: false, message: `instance type ${String(pool.instanceType)} is not in the ${pool.cloud} catalog` }
  if (pool.region !== entry.region) return { ok: false, message: `${pool.instanceType} is offered in ${entry.region}, not ${String(pool.region)}` }
  if (!PRICINGS.includes(pool.pricing)) return { ok: false, message: `pricing must be one of ${PRICINGS.join(', ')}` }
  if (pool.pricing === 'spot' && !entry.spot) return { ok: false, message: `${pool.instanceType} has no spot market in the catalog` }
  if (!Number.isInteger(pool.count) || pool.count < 1 || pool.count > MAX_LAUNCH_COUNT) return { ok: false, message: `count must be an integer from 1 to ${MAX_LAUNCH_COUNT}` }
  return { ok: true, entry }
}

/** Launches `pool.count` pending instances for a deployment; they run after 60–120 s of simulated time. */
export async function launchInstances(ctx: SimContext, req: { changeId: string; customerId: string; deploymentId: string; pool: PoolSpec }): Promise<ProviderResult<FleetInstance[]>> {
  return runChange(ctx, req.customerId, req.changeId, 'launchInstances', async (tx, now) => {
    const pool = checkPool(ctx, req.pool)
    if (!pool.ok) return providerError('invalid', pool.message)
    const [deployment] = await listDeployments(tx, req.customerId, String(req.deploymentId))
    if (!deployment) return providerError('not_found', `deployment ${req.deploymentId} not found`)
    const blocked = launchBlock(await listFaults(tx, req.customerId), deployment.id, pool.entry.instanceType, now, req.pool.pricing)
    if (blocked) return { ok: false, error: blocked }
    const rows = Array.from({ length: req.pool.count }, (_, i) => newInstanceRow({
      catalog: ctx.catalog, entry: pool.entry, customerId: req.customerId, id: instanceIdFor(pool.entry.cloud, req.customerId, req.changeId, i),
      pricing: req.pool.pricing, deploymentId: deployment.id, now, seed: ctx.seed, readyNow: false,
    }))
    for (const r of rows) await upsertInstance(tx, r)
    return { ok: true, value: rows.map((r) => toFleetInstance(ctx.catalog, r, now, ctx.seed)) }
  })
}

/** Terminates instances at once (billing stops now); already-terminated ones are fine, unknown ones refuse the whole call. */
export async function terminateInstances(ctx: SimContext, req: { changeId: string; customerId: string; instanceIds: string[] }): Promise<ProviderResult<{ terminated: string[] }>> {
  return runChange(ctx, req.customerId, req.changeId, 'terminateInstances', async (tx, now) => {
    if (!Array.isArray(req.instanceIds) || req.instanceIds.some((id) => typeof id !== 'string')) return providerError('invalid', 'instanceIds must be an array of ids')
    const ids = [...new Set(req.instanceIds)]
    const found = new Set((await listInstances(tx, req.customerId, ids)).map((r) => r.id))
    const missing = ids.filter((id) => !found.has(id))
    if (missing.length > 0) return providerError('not_found', `instances not found: ${missing.join(', ')}`)
    await terminate(tx, req.customerId, ids, now)
    return { ok: true, value: { terminated: ids } }
  })
}
