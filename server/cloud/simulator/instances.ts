/**
 * Pure rules for simulated instances: state from times, the price paid at an instant, launch
 * timing, generated ids and the provider-facing view. No I/O.
 */
import { createHash } from 'node:crypto'
import { findInstanceType, microsToUsd, usdToMicros, type Catalog, type CatalogEntry } from '../catalog/catalog.ts'
import { effectiveHourlyUsd, spotPriceAt } from '../model/spot.ts'
import type { Cloud, FleetInstance, Pricing } from '../provider.ts'
import type { InstanceRow } from './store.ts'

/** Launch takes 60–120 s of simulated time (EC2/GCE GPU boot to "running"), spread by instance id. */
export const LAUNCH_DELAY_MIN_S = 60
export const LAUNCH_DELAY_SPREAD_S = 60

/** Lifecycle state at an instant, derived from launch/ready/terminate times. */
export function stateAt(r: Pick<InstanceRow, 'ready_at' | 'terminated_at'>, at: Date): FleetInstance['state'] {
  const t = at.getTime()
  if (r.terminated_at && r.terminated_at.getTime() <= t) return 'terminated'
  return r.ready_at.getTime() <= t ? 'running' : 'pending'
}

/** True when the instance serves (and is billed) at `at`. */
export function runningAt(r: Pick<InstanceRow, 'ready_at' | 'terminated_at'>, at: Date): boolean {
  return stateAt(r, at) === 'running'
}

/** Deterministic launch delay in ms for an instance id. */
export function launchDelayMs(id: string): number {
  const h = createHash('sha256').update(`launch|${id}`).digest().readUInt32BE(0)
  return (LAUNCH_DELAY_MIN_S + (h % (LAUNCH_DELAY_SPREAD_S + 1))) * 1000
}

/** A provider-style instance id derived from the change that launched it (AWS `i-` + 17 hex; GCP a name). */
export function instanceIdFor(cloud: Cloud, customerId: string, changeId: string, index: number): string {
  const hex = createHash('sha256').update(`${customerId}|${changeId}|${index}`).digest('hex')
  return cloud === 'aws' ? `i-${hex.slice(0, 17)}` : `gce-${hex.slice(0, 12)}`
}

/** The catalog entry of a stored instance (throws if the catalog lost it: a data bug). */
export function entryOf(catalog: Catalog, r: Pick<InstanceRow, 'cloud' | 'instance_type'>): CatalogEntry {
  const e = findInstanceType(catalog, r.cloud, r.instance_type)
  if (!e) throw new Error(`instance type ${r.cloud}/${r.instance_type} is no longer in the catalog`)
  return e
}

/** Fixed hourly price in micro-dollars stored at launch for on-demand and reserved; null for spot. */
export function fixedHourlyMicros(entry: CatalogEntry, pricing: Pricing, at: Date, seed: number): number | null {
  return pricing === 'spot' ? null : usdToMicros(effectiveHourlyUsd(entry, pricing, at, seed))
}

/** USD per hour paid for the instance at `at` (spot moves hourly; others are fixed at launch). */
export function hourlyUsdAt(catalog: Catalog, r: InstanceRow, at: Date, seed: number): number {
  if (r.hourly_micros !== null) return microsToUsd(r.hourly_micros)
  return spotPriceAt(entryOf(catalog, r), at, seed)
}

/** The provider view of a stored instance at `now`. */
export function toFleetInstance(catalog: Catalog, r: InstanceRow, now: Date, seed: number): FleetInstance {
  const state = stateAt(r, now)
  return {
    id: r.id, customerId: r.customer_id, cloud: r.cloud, region: r.region, instanceType: r.instance_type,
    gpuType: r.gpu_type, gpuCount: r.gpu_count, pricing: r.pricing, state,
    deploymentId: r.deployment_id, group: state === 'terminated' ? null : r.grp,
    launchedAt: r.launched_at.toISOString(), terminatedAt: state === 'terminated' && r.terminated_at ? r.terminated_at.toISOString() : null,
    hourlyUsd: state === 'terminated' ? 0 : hourlyUsdAt(catalog, r, now, seed),
    interruptionAt: r.notice_at && r.terminated_at ? r.terminated_at.toISOString() : null,
  }
}

/** A new instance row for a launch at `now`; `readyNow` skips the boot delay (registered fleets already run). */
export function newInstanceRow(p: {
  catalog: Catalog; entry: CatalogEntry; customerId: string; id: string; pricing: Pricing; deploymentId: string | null
  now: Date; seed: number; readyNow: boolean; labels?: Record<string, unknown>
}): InstanceRow {
  const ready = p.readyNow ? p.now : new Date(p.now.getTime() + launchDelayMs(p.id))
  return {
    customer_id: p.customerId, id: p.id, cloud: p.entry.cloud, region: p.entry.region, instance_type: p.entry.instanceType,
    gpu_type: p.entry.gpuType, gpu_count: p.entry.gpuCount, pricing: p.pricing, deployment_id: p.deploymentId, grp: null,
    launched_at: p.now, ready_at: ready, terminated_at: null, notice_at: null,
    hourly_micros: fixedHourlyMicros(p.entry, p.pricing, p.now, p.seed), interrupt_checked_until: ready, labels: p.labels ?? {},
  }
}

/** Instances of a deployment group alive (pending or running) at `at`. */
export function groupMembers(rows: InstanceRow[], deploymentId: string, grp: 'stable' | 'canary', at: Date): InstanceRow[] {
  return rows.filter((r) => r.deployment_id === deploymentId && r.grp === grp && stateAt(r, at) !== 'terminated')
}
