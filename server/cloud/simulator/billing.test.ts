import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freshDb, testDbKind } from '../../test/db.ts'
import type { Db } from '../../db/db.ts'
import { findInstanceType, loadCatalog } from '../catalog/catalog.ts'
import { spotPriceAt } from '../model/spot.ts'
import type { Pricing } from '../provider.ts'
import type { FleetSpec } from './register-plan.ts'
import { FIXTURE_START, simFixture } from './testing.ts'

let db: Db
let drop: () => Promise<void>
beforeAll(async () => { ({ db, drop } = await freshDb()) }, 60_000)
afterAll(async () => { await db?.close(); await drop?.() })

const HOUR = 3_600_000
const catalog = loadCatalog()
const g6e = findInstanceType(catalog, 'aws', 'g6e.xlarge')!
const fleet = (pricing: Pricing): FleetSpec => ({
  instances: [{ instance_id: 'i-b-1', instance_type: 'g6e.xlarge', pricing }, { instance_id: 'i-b-2', instance_type: 'g6e.xlarge', pricing }],
  vllm_deployments: [{ deployment_id: 'chat-8b', model: 'meta-llama/Meta-Llama-3-8B-Instruct', instance_ids: ['i-b-1', 'i-b-2'], requests_per_second: 5 }],
})
const total = (lines: { costUsd: number }[]) => lines.reduce((a, l) => a + l.costUsd, 0)

describe(`the simulated bill on ${testDbKind}`, () => {
  it('bills spot at the hourly spot price, 50–70% below on-demand (AWS us-east-1)', async () => {
    const od = await simFixture(db, fleet('on-demand'))
    const spot = await simFixture(db, fleet('spot'))
    od.clock.advance(24 * HOUR)
    spot.clock.advance(24 * HOUR)
    const end = new Date(FIXTURE_START.getTime() + 24 * HOUR)
    const odCost = total(await od.sim.getBill(od.customerId, FIXTURE_START, end))
    const spotLines = await spot.sim.getBill(spot.customerId, FIXTURE_START, end)
    expect(odCost).toBeCloseTo(2 * 24 * g6e.onDemandHourlyUsd, 4)
    let expected = 0
    for (let h = 0; h < 24; h++) expected += spotPriceAt(g6e, new Date(FIXTURE_START.getTime() + h * HOUR), 42)
    expect(total(spotLines)).toBeCloseTo(2 * expected, 4)
    const saving = 1 - total(spotLines) / odCost
    expect(saving).toBeGreaterThan(0.5)
    expect(saving).toBeLessThan(0.7)
  })

  it('bills reserved at the amortized commitment rate and pending instances not at all', async () => {
    const f = await simFixture(db, fleet('reserved'))
    const launched = await f.sim.launchInstances({ changeId: 'l', customerId: f.customerId, deploymentId: 'chat-8b', pool: { cloud: 'aws', region: 'us-east-1', instanceType: 'g6e.xlarge', pricing: 'on-demand', count: 1 } })
    expect(launched.ok && launched.value[0]!.state).toBe('pending')
    f.clock.advance(HOUR)
    const lines = await f.sim.getBill(f.customerId, FIXTURE_START, f.clock.now())
    const reserved = lines.filter((l) => l.pricing === 'reserved')
    expect(reserved).toHaveLength(2)
    expect(reserved[0]!.costUsd).toBeCloseTo(g6e.onDemandHourlyUsd * (1 - 0.31), 4) // AWS: flagged 1y estimate (31%)
    const fresh = lines.find((l) => l.pricing === 'on-demand')!
    expect(fresh.hours).toBeLessThan(1 - 60 / 3600 + 1e-9) // billing starts at "running", 60–120 s after launch
    expect(fresh.hours).toBeGreaterThan(1 - 120 / 3600 - 1e-9)
  })

  it('reports run-rate history: terminated instances count only while they ran', async () => {
    const f = await simFixture(db, fleet('on-demand'))
    expect(await f.sim.monthlyRunRateUsd(f.customerId)).toBeCloseTo(2 * g6e.onDemandHourlyUsd * 730, 6)
    f.clock.advance(2 * HOUR)
    await f.sim.terminateInstances({ changeId: 't', customerId: f.customerId, instanceIds: ['i-b-2'] })
    f.clock.advance(2 * HOUR)
    const series = await f.sim.runRateSeries(f.customerId, FIXTURE_START, f.clock.now(), HOUR)
    expect(series.map((p) => Number(p.hourlyUsd.toFixed(4)))).toEqual([2, 2, 1, 1, 1].map((n) => Number((n * g6e.onDemandHourlyUsd).toFixed(4))))
    expect(series[0]!.monthlyUsd).toBeCloseTo(series[0]!.hourlyUsd * 730, 6)
    expect(await f.sim.monthlyRunRateUsd(f.customerId)).toBeCloseTo(g6e.onDemandHourlyUsd * 730, 6)
    const bill = total(await f.sim.getBill(f.customerId, FIXTURE_START, f.clock.now()))
    const integral = series.slice(0, 4).reduce((a, p) => a + p.hourlyUsd, 0)
    expect(bill).toBeCloseTo(integral, 4)
    await expect(f.sim.runRateSeries(f.customerId, f.clock.now(), FIXTURE_START, HOUR)).rejects.toThrow(RangeError)
  })

  it('quotes current spot prices inside the catalog band', async () => {
    const f = await simFixture(db)
    const quotes = await f.sim.getPrices('aws', 'us-east-1')
    const q = quotes.find((x) => x.instanceType === 'g6e.xlarge')!
    expect(q.spotHourlyUsd).toBeGreaterThanOrEqual(g6e.onDemandHourlyUsd * (1 - g6e.spot!.discountMax) - 1e-9)
    expect(q.spotHourlyUsd).toBeLessThanOrEqual(g6e.onDemandHourlyUsd * (1 - g6e.spot!.discountMin) + 1e-9)
    expect(quotes.every((x) => x.cloud === 'aws' && x.region === 'us-east-1')).toBe(true)
    expect((await f.sim.getPrices('gcp', 'us-central1')).length).toBeGreaterThan(10)
    expect(await f.sim.getPrices('aws', 'eu-west-1')).toEqual([])
  })
})
