/**
 * Test helpers for the simulator: a customer with a small registered fleet on a manual clock.
 * Used by the simulator's own tests and by other concepts' tests that need a fleet.
 */
import { manualClock, type ManualClock } from '../../clock.ts'
import { insertCustomer } from '../../customers/store.ts'
import type { Db } from '../../db/db.ts'
import type { FleetSpec } from './register-plan.ts'
import { Simulator } from './simulator.ts'

/** A fresh customer with a registered fleet. */
export interface SimFixture { sim: Simulator; clock: ManualClock; customerId: string; db: Db }

/** Two on-demand L40S instances serving Llama-3-8B at 8 req/s: the smallest useful fleet. */
export const SMALL_FLEET: FleetSpec = {
  instances: [
    { instance_id: 'i-small-1', instance_type: 'g6e.xlarge', region: 'us-east-1', pricing: 'on-demand' },
    { instance_id: 'i-small-2', instance_type: 'g6e.xlarge', region: 'us-east-1', pricing: 'on-demand' },
  ],
  vllm_deployments: [{ deployment_id: 'chat-8b', model: 'meta-llama/Meta-Llama-3-8B-Instruct', instance_ids: ['i-small-1', 'i-small-2'], requests_per_second: 8, prompt_tokens: 512, output_tokens: 128 }],
}

/** Noon UTC on a weekday, so traffic sits near its daily mean by default. */
export const FIXTURE_START = new Date('2026-03-02T12:00:00Z')

/** Creates a customer on `db`, a Simulator on a manual clock (seed 42), and registers `spec`. */
export async function simFixture(db: Db, spec: FleetSpec = SMALL_FLEET, opts: { start?: Date; seed?: number; variation?: boolean } = {}): Promise<SimFixture> {
  const clock = manualClock(opts.start ?? FIXTURE_START)
  const sim = new Simulator({ db, clock, seed: opts.seed ?? 42, variation: opts.variation === true })
  const customerId = (await insertCustomer(db, { company_name: 'Sim Test Co', plan: 'pro' })).id
  await sim.registerFleet(customerId, spec)
  return { sim, clock, customerId, db }
}
