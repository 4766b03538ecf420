/**
 * The one place that chooses the cloud implementation. Today there is one: the simulator (it
 * plays AWS and GCP accounts); a real AWS or GCP provider would be one more case here and must
 * pass `provider.contract.ts`.
 */
import type { Logger } from 'pino'
import type { Clock } from '../clock.ts'
import type { Config } from '../config.ts'
import type { Db } from '../db/db.ts'
import type { LiveHub } from '../http/live.ts'
import { Simulator } from './simulator/simulator.ts'

export { Simulator } from './simulator/simulator.ts'
export type { CloudProvider, FleetDeployment, FleetInstance, BillLine, PriceQuote, PoolSpec, ProviderResult, ServingGroup } from './provider.ts'
export type { FleetSpec, InstanceSpec, DeploymentSpec } from './simulator/register-plan.ts'
export type { RegisteredFleet } from './simulator/register.ts'
export { simulatorRoutes } from './simulator/routes.ts'
export { seedDemoCustomers } from './simulator/scenarios.ts'

/** Materializing a declared fleet (the seeds' registration shape): the twin creates its instances. */
export interface FleetRegistry {
  registerFleet(customerId: string, spec: import('./simulator/register-plan.ts').FleetSpec): Promise<import('./simulator/register.ts').RegisteredFleet>
}
export type { Fault, FaultKind, FaultTarget } from './simulator/faults.ts'

/** Builds the platform's cloud provider from configuration (seeded by OPTIINFRA_SEED). */
export function createCloud(opts: { config: Pick<Config, 'simulatorSeed' | 'simulatorVariation'>; db: Db; clock: Clock; live?: LiveHub; log?: Logger }): Simulator {
  return new Simulator({ db: opts.db, clock: opts.clock, seed: opts.config.simulatorSeed, variation: opts.config.simulatorVariation, ...(opts.live ? { live: opts.live } : {}), ...(opts.log ? { log: opts.log } : {}) })
}

export { createTwinGitOps, type TwinGitOps } from './simulator/gitops.ts'
