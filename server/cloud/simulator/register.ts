/**
 * Materializes a registered fleet in the simulator (POST /customers/{id}/infrastructure on the
 * simulated cloud): the instances run from now and bill, the deployments serve their traffic.
 * Re-registering the same ids updates them in place; nothing is duplicated. One transaction.
 */
import { toProviderSlo } from '../../slo/slo.ts'
import type { Db } from '../../db/db.ts'
import { errors } from '../../errors.ts'
import type { CatalogEntry } from '../catalog/catalog.ts'
import type { FleetDeployment, FleetInstance } from '../provider.ts'
import type { SimContext } from './context.ts'
import { isCustomerId } from './context.ts'
import { checkEngineConfig, toFleetDeployment } from './deployments.ts'
import { entryOf, fixedHourlyMicros, groupMembers, newInstanceRow, stateAt, toFleetInstance } from './instances.ts'
import { planDeployments, planInstances, type FleetSpec, type PlannedDeployment, type PlannedInstance } from './register-plan.ts'
import { accrueDeployment } from './scrape.ts'
import { instancesOfDeployment, listDeployments, listInstances, setGroup, upsertDeployment, upsertInstance, type DeploymentRow, type InstanceRow } from './store.ts'
import { deriveTraffic } from './traffic.ts'
import { variationOf } from './variation.ts'

/** What a registration created or updated. */
export interface RegisteredFleet { instances: FleetInstance[]; deployments: FleetDeployment[] }

async function writeInstance(tx: Db, ctx: SimContext, customerId: string, p: PlannedInstance, existing: InstanceRow | undefined, now: Date): Promise<void> {
  const labels = p.utilization === undefined ? {} : { registered_utilization: p.utilization }
  if (!existing) {
    await upsertInstance(tx, newInstanceRow({ catalog: ctx.catalog, entry: p.entry, customerId, id: p.id, pricing: p.pricing, deploymentId: null, now, seed: ctx.seed, readyNow: true, labels }))
    return
  }
  if (stateAt(existing, now) === 'terminated') throw new errors.OPT_FLEET_INVALID(`instance ${p.id} was terminated; register it under a new id`)
  const priceChanged = existing.pricing !== p.pricing || existing.instance_type !== p.entry.instanceType
  await upsertInstance(tx, {
    ...existing, cloud: p.entry.cloud, region: p.entry.region, instance_type: p.entry.instanceType, gpu_type: p.entry.gpuType,
    gpu_count: p.entry.gpuCount, pricing: p.pricing, labels: { ...existing.labels, ...labels },
    hourly_micros: priceChanged ? fixedHourlyMicros(p.entry, p.pricing, now, ctx.seed) : existing.hourly_micros,
  })
}

function utilizationOf(ids: string[], planned: Map<string, PlannedInstance>): number | undefined {
  const values = ids.map((id) => planned.get(id)?.utilization).filter((u): u is number => u !== undefined)
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : undefined
}

function deploymentRow(ctx: SimContext, customerId: string, p: PlannedDeployment, existing: DeploymentRow | undefined, planned: Map<string, PlannedInstance>, now: Date): DeploymentRow {
  const keep = existing && checkEngineConfig(existing.stable_config, p.model, p.entry.gpuType, p.entry.gpuCount) === null
  const config = keep ? existing.stable_config : p.config
  const s = p.spec
  const { traffic, slo } = deriveTraffic({ model: p.model, config, gpuType: p.entry.gpuType, gpuCount: p.entry.gpuCount, instances: p.instanceIds.length }, {
    requestsPerSecond: s.requests_per_second, p95LatencyMs: s.avg_latency_p95, promptTokens: s.prompt_tokens, outputTokens: s.output_tokens,
    utilization: utilizationOf(p.instanceIds, planned), latencyCritical: s.latency_critical === true,
  })
  return {
    customer_id: customerId, id: s.deployment_id, name: s.name ?? s.deployment_id, cloud: p.entry.cloud, region: p.entry.region,
    model: p.model, traffic, slo: s.slo ? toProviderSlo(s.slo) : slo, latency_critical: s.latency_critical === true, stable_config: config,
    canary_config: existing?.canary_config ?? null, canary_weight: existing?.canary_weight ?? 0,
    // drawn once, when first registered: re-registering describes the same deployment
    hidden: existing ? existing.hidden : ctx.variation ? variationOf(ctx.seed, customerId, s.deployment_id) : null,
    created_at: existing?.created_at ?? now, updated_at: now,
  }
}

async function writeDeployment(tx: Db, row: DeploymentRow, existing: DeploymentRow | undefined, instanceIds: string[], now: Date): Promise<void> {
  if (existing) await accrueDeployment(tx, existing, now)
  await upsertDeployment(tx, row)
  const current = groupMembers(await instancesOfDeployment(tx, row.customer_id, row.id), row.id, 'stable', now)
  await setGroup(tx, row.customer_id, current.map((r) => r.id).filter((id) => !instanceIds.includes(id)), row.id, null)
  await setGroup(tx, row.customer_id, instanceIds, row.id, 'stable')
}

/** Registers (or re-registers) a customer's fleet; throws catalog errors naming what is wrong. */
export async function registerFleet(ctx: SimContext, customerId: string, spec: FleetSpec): Promise<RegisteredFleet> {
  if (!isCustomerId(customerId)) throw new errors.OPT_NOT_FOUND('Customer')
  const instSpecs = spec?.instances ?? []
  const depSpecs = spec?.vllm_deployments ?? []
  if (!Array.isArray(instSpecs) || !Array.isArray(depSpecs)) throw new errors.OPT_FLEET_INVALID('instances and vllm_deployments must be arrays')
  const plannedInstances = planInstances(ctx.catalog, customerId, instSpecs)
  return ctx.db.tx(async (tx) => {
    const now = ctx.clock.now()
    if ((await tx.query('SELECT 1 FROM customers WHERE id = $1', [customerId])).length === 0) throw new errors.OPT_NOT_FOUND('Customer')
    const referenced = [...new Set([...plannedInstances.map((p) => p.id), ...depSpecs.flatMap((d) => (Array.isArray(d?.instance_ids) ? d.instance_ids.map(String) : []))])]
    const stored = new Map((await listInstances(tx, customerId, referenced)).map((r) => [r.id, r]))
    const entries = new Map<string, CatalogEntry>()
    for (const r of stored.values()) if (stateAt(r, now) !== 'terminated') entries.set(r.id, entryOf(ctx.catalog, r))
    for (const p of plannedInstances) entries.set(p.id, p.entry)
    const plannedDeployments = planDeployments(depSpecs, entries)
    for (const p of plannedInstances) await writeInstance(tx, ctx, customerId, p, stored.get(p.id), now)
    const byId = new Map(plannedInstances.map((p) => [p.id, p]))
    const existing = new Map((await listDeployments(tx, customerId)).map((d) => [d.id, d]))
    for (const p of plannedDeployments) {
      const prior = existing.get(p.spec.deployment_id)
      await writeDeployment(tx, deploymentRow(ctx, customerId, p, prior, byId, now), prior, p.instanceIds, now)
    }
    const rows = await listInstances(tx, customerId, referenced)
    const deployments = await listDeployments(tx, customerId)
    const wanted = new Set(plannedDeployments.map((p) => p.spec.deployment_id))
    const all = await listInstances(tx, customerId)
    return {
      instances: rows.map((r) => toFleetInstance(ctx.catalog, r, now, ctx.seed)),
      deployments: deployments.filter((d) => wanted.has(d.id)).map((d) => toFleetDeployment(d, all, now)),
    }
  })
}
