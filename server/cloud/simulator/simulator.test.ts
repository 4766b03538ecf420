import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freshDb, testDbKind } from '../../test/db.ts'
import type { Db } from '../../db/db.ts'
import { describeProviderContract } from '../provider.contract.ts'
import { Simulator } from './simulator.ts'
import { simFixture } from './testing.ts'

let db: Db
let drop: () => Promise<void>
beforeAll(async () => { ({ db, drop } = await freshDb()) }, 60_000)
afterAll(async () => { await db?.close(); await drop?.() })

describeProviderContract(`simulator on ${testDbKind}`, async () => {
  const f = await simFixture(db)
  return {
    provider: f.sim, customerId: f.customerId, deploymentId: 'chat-8b',
    pool: { cloud: 'aws', region: 'us-east-1', instanceType: 'g6e.xlarge', pricing: 'on-demand', count: 2 },
    advance: async (ms) => { f.clock.advance(ms) },
    now: () => f.clock.now(),
  }
})

describe(`simulator state on ${testDbKind}`, () => {
  it('resumes the same fleet, canary and bill in a new Simulator over the same store (restart)', async () => {
    const f = await simFixture(db)
    const launched = await f.sim.launchInstances({ changeId: 'l', customerId: f.customerId, deploymentId: 'chat-8b', pool: { cloud: 'aws', region: 'us-east-1', instanceType: 'g6e.xlarge', pricing: 'spot', count: 1 } })
    if (!launched.ok) throw new Error(launched.error.message)
    f.clock.advance(300_000)
    const config = (await f.sim.listResources(f.customerId)).deployments[0]!.stable.config
    await f.sim.setCanary({ changeId: 'c', customerId: f.customerId, deploymentId: 'chat-8b', group: { instanceIds: [launched.value[0]!.id], config: { ...config, kvCacheDtype: 'fp8' } }, weight: 25 })
    f.clock.advance(3_600_000)
    const before = await f.sim.listResources(f.customerId)
    const billBefore = await f.sim.getBill(f.customerId, new Date(0), f.clock.now())
    const restarted = new Simulator({ db, clock: f.clock, seed: 42 })
    expect(await restarted.listResources(f.customerId)).toEqual(before)
    expect(await restarted.getBill(f.customerId, new Date(0), f.clock.now())).toEqual(billBefore)
    // idempotency survives the restart: the same changeId launches nothing new
    const again = await restarted.launchInstances({ changeId: 'l', customerId: f.customerId, deploymentId: 'chat-8b', pool: { cloud: 'aws', region: 'us-east-1', instanceType: 'g6e.xlarge', pricing: 'spot', count: 1 } })
    expect(again).toEqual(launched)
    expect((await restarted.listResources(f.customerId)).instances).toHaveLength(before.instances.length)
  })

  it('keeps tenants apart: one customer never sees another one\'s instances', async () => {
    const a = await simFixture(db)
    const b = await simFixture(db)
    const fleetA = await a.sim.listResources(a.customerId)
    const fleetB = await b.sim.listResources(b.customerId)
    expect(fleetA.instances.map((i) => i.id)).toEqual(fleetB.instances.map((i) => i.id)) // same customer-chosen ids…
    expect(new Set(fleetA.instances.map((i) => i.customerId))).toEqual(new Set([a.customerId])) // …different owners
    const r = await a.sim.terminateInstances({ changeId: 't', customerId: a.customerId, instanceIds: ['i-small-1'] })
    expect(r.ok).toBe(true)
    expect((await b.sim.listResources(b.customerId)).instances.every((i) => i.state === 'running')).toBe(true)
  })

  it('answers an unknown or malformed customer with empty data or not_found, never a throw', async () => {
    const sim = new Simulator({ db, clock: (await simFixture(db)).clock, seed: 42 })
    expect(await sim.listResources("1' OR '1'='1")).toEqual({ instances: [], deployments: [] })
    expect(await sim.getBill('not-a-uuid', new Date(0), new Date())).toEqual([])
    const r = await sim.abortCanary({ changeId: 'x', customerId: '00000000-0000-4000-8000-000000000000', deploymentId: 'd' })
    expect(r.ok ? 'ok' : r.error.code).toBe('not_found')
  })
})
