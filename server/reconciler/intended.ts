/**
 * Intended capacity: what a deployment should run. Behind a small interface so it can later be read
 * from the versioned desired spec; today it is the stable group the platform last applied through
 * the CloudProvider seam (at registration or by a promoted rollout), remembered with the
 * replacements the reconciler adopted into it, so a shrinking group reads as drift, not as intent.
 */
import type { Db } from '../db/db.ts'
import type { FleetDeployment, FleetInstance } from '../cloud/provider.ts'
import { poolsOf, type IntendedPool } from './drift.ts'

/** Where the reconciler reads a deployment's intended capacity from. */
export interface IntendedCapacitySource {
  /** The pools each deployment should run, given what is observed now (empty: nothing to keep). */
  intended(customerId: string, deployments: FleetDeployment[], instances: FleetInstance[]): Promise<Map<string, IntendedPool[]>>
  /** The reconciler launched these instances as part of the intended capacity (before they join the group). */
  adopt(customerId: string, deploymentId: string, instanceIds: string[]): Promise<void>
}

/** What the platform last applied to a deployment. */
export interface Applied { pools: IntendedPool[]; memberIds: string[] }

/**
 * The applied capacity after observing the stable group. A member the record does not know means
 * the platform applied a new group (a promoted rollout, a re-registration): the live group becomes
 * the record. Members only missing (reclaimed, failed) leave the record as it is. While a canary
 * runs the rollout owns the deployment and the record stays. Pure.
 */
export function reapply(record: Applied | null, d: FleetDeployment, instances: FleetInstance[]): { applied: Applied | null; changed: boolean } {
  const byId = new Map(instances.map((i) => [i.id, i]))
  const live = d.stable.instanceIds.map((id) => byId.get(id)).filter((i): i is FleetInstance => !!i && i.state !== 'terminated')
  if (d.canary !== null || live.length === 0) return { applied: record, changed: false }
  const known = new Set(record?.memberIds ?? [])
  if (record && live.every((i) => known.has(i.id))) return { applied: record, changed: false }
  return { applied: { pools: poolsOf(live), memberIds: live.map((i) => i.id) }, changed: true }
}

interface Row { deployment_id: string; pools: IntendedPool[] | string; member_ids: string[] }

/** Every record of a customer in one read: a pass looks at all of its deployments. */
async function load(db: Db, customerId: string): Promise<Map<string, Applied>> {
  const rows = await db.query<Row>('SELECT deployment_id, pools, member_ids FROM reconciler_intents WHERE customer_id = $1', [customerId])
  return new Map(rows.map((r) => [r.deployment_id, { pools: typeof r.pools === 'string' ? (JSON.parse(r.pools) as IntendedPool[]) : r.pools, memberIds: r.member_ids }]))
}

/** The last-applied source, stored in `reconciler_intents` (migration 0013). */
export function lastAppliedCapacity(db: Db, now: () => Date): IntendedCapacitySource {
  return {
    async intended(customerId, deployments, instances) {
      const records = await load(db, customerId)
      const out = new Map<string, IntendedPool[]>()
      for (const d of deployments) {
        const { applied, changed } = reapply(records.get(d.id) ?? null, d, instances)
        if (changed && applied) {
          await db.query(
            `INSERT INTO reconciler_intents (customer_id, deployment_id, pools, member_ids, updated_at) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (customer_id, deployment_id) DO UPDATE SET pools = EXCLUDED.pools, member_ids = EXCLUDED.member_ids, updated_at = EXCLUDED.updated_at`,
            [customerId, d.id, JSON.stringify(applied.pools), applied.memberIds, now()])
        }
        out.set(d.id, applied?.pools ?? [])
      }
      return out
    },
    async adopt(customerId, deploymentId, instanceIds) {
      await db.query(
        `UPDATE reconciler_intents SET member_ids = ARRAY(SELECT DISTINCT unnest(member_ids || $3::text[])), updated_at = $4
         WHERE customer_id = $1 AND deployment_id = $2`, [customerId, deploymentId, instanceIds, now()])
    },
  }
}

/** Records what the platform has just applied to a customer's fleet (after a registration), before any pass sees it. */
export async function recordApplied(deps: { db: Db; clock: { now(): Date }; cloud: { listResources(customerId: string): Promise<{ instances: FleetInstance[]; deployments: FleetDeployment[] }> } }, customerId: string): Promise<void> {
  const source = lastAppliedCapacity(deps.db, () => deps.clock.now())
  const { instances, deployments } = await deps.cloud.listResources(customerId)
  await source.intended(customerId, deployments, instances)
}
