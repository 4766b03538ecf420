import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freshDb, testDbKind } from '../../test/db.ts'
import type { Db } from '../../db/db.ts'
import { insertCustomer } from '../../customers/store.ts'
import { manualClock } from '../../clock.ts'
import { HOURS_PER_MONTH } from '../catalog/catalog.ts'
import { MODELS } from '../model/models.ts'
import { paramsFromName, resolveModel } from '../model/match.ts'
import type { FleetSpec } from './register-plan.ts'
import { DEMO_FLEET, seedDemoFleet } from './scenarios.ts'
import { Simulator } from './simulator.ts'
import { FIXTURE_START } from './testing.ts'

let db: Db
let drop: () => Promise<void>
beforeAll(async () => { ({ db, drop } = await freshDb()) }, 60_000)
afterAll(async () => { await db?.close(); await drop?.() })

/** Seed 001's `test_infrastructure` fixture, verbatim (monthly_cost is ignored: the bill is computed). */
const SEED_FIXTURE = {
  instances: [
    { instance_id: 'i-123456', instance_type: 'p4d.24xlarge', region: 'us-east-1', pricing: 'on-demand', monthly_cost: 30000, gpu_type: 'A100', gpu_count: 8, utilization: 0.78 },
    { instance_id: 'i-789012', instance_type: 'p4d.24xlarge', region: 'us-east-1', pricing: 'on-demand', monthly_cost: 30000, gpu_type: 'A100', gpu_count: 8, utilization: 0.72 },
  ],
  vllm_deployments: [{ deployment_id: 'vllm-prod-1', model: 'meta-llama/Llama-3-70B', instance_ids: ['i-123456', 'i-789012'], avg_latency_p95: 1600, requests_per_second: 45 }],
} as unknown as FleetSpec

async function newSim() {
  const clock = manualClock(FIXTURE_START)
  const sim = new Simulator({ db, clock, seed: 42 })
  const customerId = (await insertCustomer(db, { company_name: 'Register Co', plan: 'pro' })).id
  return { sim, clock, customerId }
}

describe('model names', () => {
  it('maps customer model names to presets by family and size', () => {
    const id = (n: string) => { const r = resolveModel(n); return r.ok ? r.presetId : null }
    expect(id('meta-llama/Llama-3-70B')).toBe('llama-3-70b')
    expect(id('meta-llama/Llama-3.1-70B-Instruct')).toBe('llama-3.1-70b')
    expect(id('Qwen/Qwen2.5-72B-Instruct')).toBe('qwen2.5-72b')
    expect(id('mistralai/Mistral-7B-Instruct-v0.3')).toBe('mistral-7b')
    expect(id('google/gemma-2-9b-it')).toBe('gemma-2-9b')
    expect(paramsFromName('Qwen2.5-7B')).toBe(7)
    const other = resolveModel('acme/falcon-40b')
    expect(other).toMatchObject({ ok: true, presetId: null, model: { family: 'other', paramsB: 40 } })
    expect(resolveModel('acme/mystery-model').ok).toBe(false)
  })
})

describe(`registering a fleet on ${testDbKind}`, () => {
  it('materializes seed 001\'s fixture: running, billed, serving at the given rate with a p95 near the observed one', async () => {
    const { sim, customerId } = await newSim()
    const out = await sim.registerFleet(customerId, SEED_FIXTURE)
    expect(out.instances.map((i) => [i.id, i.state, i.gpuType, i.pricing])).toEqual([['i-123456', 'running', 'A100-40GB', 'on-demand'], ['i-789012', 'running', 'A100-40GB', 'on-demand']])
    const d = out.deployments[0]!
    expect(d).toMatchObject({ id: 'vllm-prod-1', model: { name: 'meta-llama/Llama-3-70B', paramsB: MODELS['llama-3-70b'].paramsB }, traffic: { baseRps: 45 } })
    expect(d.stable.config.tensorParallelSize).toBe(4) // 131.5 GiB of FP16 weights fit 4 × (40 × 0.9 − 1.2) GiB with ~25K KV tokens
    const stats = (await sim.servingStats(customerId, 'vllm-prod-1', 'stable', new Date('2026-03-03T09:00:00Z')))!.stats! // next day, 09:00 UTC: the daily mean
    expect(stats.saturation).toBeLessThan(1)
    expect(stats.e2eMs.p95 / 1600).toBeGreaterThan(0.5)
    expect(stats.e2eMs.p95 / 1600).toBeLessThan(2)
    expect(d.slo.p95Ms).toBeGreaterThanOrEqual(1000)
    expect(await sim.monthlyRunRateUsd(customerId)).toBeCloseTo(2 * 21.957642 * HOURS_PER_MONTH, 2)
  })

  it('is idempotent: re-registering the same ids updates in place, without duplicates', async () => {
    const { sim, customerId, clock } = await newSim()
    await sim.registerFleet(customerId, SEED_FIXTURE)
    clock.advance(3_600_000)
    const again = await sim.registerFleet(customerId, { ...SEED_FIXTURE, vllm_deployments: [{ ...SEED_FIXTURE.vllm_deployments![0]!, requests_per_second: 30 }] })
    const fleet = await sim.listResources(customerId)
    expect(fleet.instances).toHaveLength(2)
    expect(fleet.deployments).toHaveLength(1)
    expect(again.deployments[0]!.traffic.baseRps).toBe(30)
    expect(fleet.instances[0]!.launchedAt).toBe(FIXTURE_START.toISOString()) // launch time kept
  })

  it('derives the request rate from registered utilization when no rate is given', async () => {
    const { sim, customerId } = await newSim()
    const spec = { instances: SEED_FIXTURE.instances, vllm_deployments: [{ deployment_id: 'u', model: 'meta-llama/Llama-3-70B', instance_ids: ['i-123456', 'i-789012'] }] }
    const d = (await sim.registerFleet(customerId, spec)).deployments[0]!
    const s = (await sim.servingStats(customerId, 'u', 'stable'))!.stats!
    expect(d.traffic.baseRps / s.maxRpsCapacity).toBeCloseTo(0.75, 2) // mean of 0.78 and 0.72
  })

  it('refuses unknown instance types, contradictions and unsizable models with errors that name them', async () => {
    const { sim, customerId } = await newSim()
    const bad = (spec: unknown) => sim.registerFleet(customerId, spec as FleetSpec)
    await expect(bad({ instances: [{ instance_type: 'p9.mega' }] })).rejects.toMatchObject({ code: 'OPT_CATALOG_UNKNOWN_INSTANCE_TYPE', message: expect.stringContaining('p9.mega') })
    await expect(bad({ instances: [{ instance_type: 'p4d.24xlarge', region: 'eu-west-1' }] })).rejects.toMatchObject({ code: 'OPT_CATALOG_UNKNOWN_INSTANCE_TYPE' })
    await expect(bad({ instances: [{ instance_type: 'p4d.24xlarge', gpu_type: 'H100' }] })).rejects.toMatchObject({ code: 'OPT_FLEET_INVALID', message: expect.stringContaining('A100-40GB') })
    await expect(bad({ instances: [{ instance_id: 'x', instance_type: 'g5.xlarge' }, { instance_id: 'x', instance_type: 'g5.xlarge' }] })).rejects.toMatchObject({ code: 'OPT_FLEET_INVALID' })
    await expect(bad({ instances: [{ instance_id: 'a', instance_type: 'g5.xlarge' }], vllm_deployments: [{ deployment_id: 'd', model: 'meta-llama/Llama-3-70B', instance_ids: ['a'] }] })).rejects.toMatchObject({ code: 'OPT_FLEET_INVALID', message: expect.stringContaining('does not fit') })
    await expect(bad({ vllm_deployments: [{ deployment_id: 'd', model: 'meta-llama/Llama-3-8B', instance_ids: ['ghost'] }] })).rejects.toMatchObject({ code: 'OPT_FLEET_INVALID', message: expect.stringContaining('ghost') })
    await expect(bad({ instances: [{ instance_id: "x'; DROP TABLE sim_instances; --", instance_type: 'g5.xlarge' }] })).rejects.toMatchObject({ code: 'OPT_FLEET_INVALID' })
    expect((await sim.listResources(customerId)).instances).toEqual([]) // nothing partially written
  })

  it('seeds a deterministic demo fleet whose every deployment fits and serves under its SLO', async () => {
    const { sim, customerId } = await newSim()
    const fleet = (await seedDemoFleet(sim, customerId))!
    expect(fleet.instances).toHaveLength(DEMO_FLEET.instances!.length)
    expect(new Set(fleet.deployments.map((d) => d.cloud))).toEqual(new Set(['aws', 'gcp']))
    expect(fleet.deployments.filter((d) => d.latencyCritical)).toHaveLength(1)
    for (const d of fleet.deployments) {
      const s = (await sim.servingStats(customerId, d.id, 'stable'))!.stats!
      expect(s.fits, d.id).toBe(true)
      expect(s.saturation, d.id).toBeLessThan(0.8) // over-provisioned: the waste to find
      expect(s.e2eMs.p95, d.id).toBeLessThanOrEqual(d.slo.p95Ms)
      expect(d.stable.config.quantization).toBe('none')
    }
    const monthly = await sim.monthlyRunRateUsd(customerId)
    expect(monthly).toBeGreaterThan(100_000)
    expect(fleet.instances.every((i) => i.pricing === 'on-demand')).toBe(true)
    expect(await seedDemoFleet(sim, customerId)).toBeNull() // a restart does not re-seed
  })
})
