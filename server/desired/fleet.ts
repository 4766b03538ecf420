/**
 * Desired state meets the fleet: a deployment OptiInfra sees for the first time gets generation 1
 * from what runs (read through the CloudProvider seam), and `GET /customers/{id}/infrastructure`
 * shows, per deployment, its generation, desired spec (with the customer's constraints) and the
 * observed state: the instances that really run, healthy or not.
 */
import type { Clock } from '../clock.ts'
import type { Db } from '../db/db.ts'
import type { CloudProvider, FleetDeployment, FleetInstance } from '../cloud/provider.ts'
import type { Preferences } from '../../api/common.ts'
import { poolsOfInstances } from '../rollouts/rollout.ts'
import { constraintsFor, samePools, specFromObserved, type DesiredState } from './spec.ts'
import { sameJson } from '../workflows/steps/context.ts'
import { insertDesiredIfMissing, listDesired } from './store.ts'

/** What reading the fleet's desired state needs. */
export interface DesiredDeps { db: Db; clock: Clock; cloud: CloudProvider }

type Fleet = { instances: FleetInstance[]; deployments: FleetDeployment[] }

/** The desired state of every deployment of a customer, creating the missing ones from what runs. */
export async function ensureFleetDesired(deps: DesiredDeps, customerId: string, fleet?: Fleet): Promise<Map<string, DesiredState>> {
  const f = fleet ?? (await deps.cloud.listResources(customerId))
  const have = await listDesired(deps.db, customerId)
  for (const d of f.deployments) {
    if (!have.has(d.id)) have.set(d.id, await insertDesiredIfMissing(deps.db, customerId, d.id, specFromObserved(d, f.instances), deps.clock.now()))
  }
  return have
}

/** One deployment's desired state (created from what runs if missing); null when the deployment does not exist. */
export async function ensureDesired(deps: DesiredDeps, customerId: string, deploymentId: string): Promise<DesiredState | null> {
  const fleet = await deps.cloud.listResources(customerId)
  if (!fleet.deployments.some((d) => d.id === deploymentId)) return null
  return (await ensureFleetDesired(deps, customerId, fleet)).get(deploymentId) ?? null
}

/** An instance is healthy when it runs and no interruption has been announced for it. */
export function healthy(i: FleetInstance): boolean {
  return i.state === 'running' && i.interruptionAt === null
}

/** The desired/observed part of a deployment in the infrastructure view. */
export function presentDesired(state: DesiredState, prefs: Preferences, dep: FleetDeployment, instances: FleetInstance[]) {
  const own = instances.filter((i) => i.deploymentId === dep.id && i.state !== 'terminated')
  const stable = own.filter((i) => dep.stable.instanceIds.includes(i.id))
  const observedPools = poolsOfInstances(stable.filter(healthy))
  return {
    generation: state.generation,
    desired: { ...state.spec, constraints: constraintsFor(prefs, dep.id) },
    field_generations: state.fieldGenerations,
    last_change: state.lastChange,
    observed: {
      pools: observedPools,
      engine: dep.stable.config,
      instances: own.map((i) => ({ instance_id: i.id, group: i.group, pricing: i.pricing, instance_type: i.instanceType, state: i.state, healthy: healthy(i), interruption_at: i.interruptionAt })),
      healthy_instances: own.filter(healthy).length,
      in_sync: samePools(observedPools, state.spec.pools) && sameJson(dep.stable.config, state.spec.engine) && dep.canary === null,
    },
  }
}
