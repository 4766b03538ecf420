import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freshDb, testDbKind } from '../../test/db.ts'
import type { Db } from '../../db/db.ts'
import type { FleetSpec } from './register-plan.ts'
import { simFixture } from './testing.ts'
import { Simulator } from './simulator.ts'
import { scaledClock } from '../../clock.ts'
import { waitFor } from '../../test/platform.ts'

let db: Db
let drop: () => Promise<void>
beforeAll(async () => { ({ db, drop } = await freshDb()) }, 60_000)
afterAll(async () => { await db?.close(); await drop?.() })

const HOUR = 3_600_000
const spotFleet = (n: number, type: string, cloud: 'aws' | 'gcp'): FleetSpec => ({
  instances: Array.from({ length: n }, (_, i) => ({ instance_id: `s-${cloud}-${i}`, instance_type: type, pricing: 'spot' as const, cloud })),
  vllm_deployments: [{ deployment_id: 'spot-8b', model: 'meta-llama/Meta-Llama-3-8B-Instruct', instance_ids: Array.from({ length: n }, (_, i) => `s-${cloud}-${i}`), requests_per_second: 2 }],
})

describe(`spot interruptions on ${testDbKind}`, () => {
  for (const [cloud, type, notice] of [['aws', 'g5.xlarge', 120], ['gcp', 'g2-standard-8', 30]] as const) {
    it(`reclaims ${cloud} spot instances ${notice} s after the notice, records events, and drops them from their group`, async () => {
      const f = await simFixture(db, spotFleet(100, type, cloud))
      f.clock.advance(150 * HOUR) // within the 7 days terminated instances stay listed
      const notices = await f.sim.tick()
      expect(notices.length).toBeGreaterThan(0) // 100 × 150 h × 3.9e-4/h ≈ 6 expected
      const { instances, deployments } = await f.sim.listResources(f.customerId)
      for (const n of notices) {
        expect(n.terminateAt.getTime() - n.noticeAt.getTime()).toBe(notice * 1000)
        const inst = instances.find((i) => i.id === n.instanceId)!
        expect(inst).toMatchObject({ state: 'terminated', terminatedAt: n.terminateAt.toISOString(), interruptionAt: n.terminateAt.toISOString() })
        expect(deployments[0]!.stable.instanceIds).not.toContain(n.instanceId)
      }
      const bill = await f.sim.getBill(f.customerId, new Date(0), f.clock.now())
      const first = notices[0]!
      expect(bill.find((l) => l.instanceId === first.instanceId)!.to).toBe(first.terminateAt.toISOString())
      const events = await f.sim.events(f.customerId)
      expect(events.filter((e) => e.kind === 'spot_interruption_notice')).toHaveLength(notices.length)
      expect(events.filter((e) => e.kind === 'spot_instance_reclaimed')).toHaveLength(notices.length)
      expect(await f.sim.tick()).toEqual([]) // processed up to now: nothing twice
    })
  }

  it('issues each notice once when two simulator processes tick the same store at the same time', async () => {
    const f = await simFixture(db, spotFleet(100, 'g5.xlarge', 'aws'))
    const other = new Simulator({ db, clock: f.clock, seed: 42 })
    f.clock.advance(150 * HOUR)
    const [a, b] = await Promise.all([f.sim.tick(), other.tick()])
    expect(a.length + b.length).toBeGreaterThan(0)
    const events = await f.sim.events(f.customerId)
    expect(events.filter((e) => e.kind === 'spot_interruption_notice')).toHaveLength(a.length + b.length)
    expect(new Set([...a, ...b].map((n) => n.instanceId)).size).toBe(a.length + b.length)
  })

  it('interrupts the targeted spot instances at once on a fault: running through the notice, gone after it', async () => {
    const f = await simFixture(db, spotFleet(3, 'g5.xlarge', 'aws'))
    const fault = await f.sim.injectFault({ customer_id: f.customerId, deployment_id: 'spot-8b', target: 'stable', kind: 'spot_interruption' })
    expect(fault.detail.interrupted_instance_ids).toHaveLength(3)
    f.clock.advance(119_000)
    let fleet = await f.sim.listResources(f.customerId)
    expect(fleet.instances.every((i) => i.state === 'running' && i.interruptionAt !== null)).toBe(true)
    expect(fleet.deployments[0]!.stable.instanceIds).toHaveLength(3)
    f.clock.advance(1_000)
    fleet = await f.sim.listResources(f.customerId)
    expect(fleet.instances.every((i) => i.state === 'terminated')).toBe(true)
    expect(fleet.deployments[0]!.stable.instanceIds).toEqual([])
    expect((await f.sim.scrapeVllm(f.customerId, 'spot-8b', 'stable')).status).toBe(503)
  })

  it('fails launches under launch_failure (final) and capacity_shortage (retryable, per type) faults', async () => {
    const f = await simFixture(db, spotFleet(1, 'g5.xlarge', 'aws'))
    const pool = { cloud: 'aws' as const, region: 'us-east-1', instanceType: 'g5.xlarge', pricing: 'spot' as const, count: 1 }
    const launch = (changeId: string, p = pool) => f.sim.launchInstances({ changeId, customerId: f.customerId, deploymentId: 'spot-8b', pool: p })
    const shortage = await f.sim.injectFault({ customer_id: f.customerId, target: 'all', kind: 'capacity_shortage', instance_type: 'g5.xlarge' })
    expect(await launch('cap')).toMatchObject({ ok: false, error: { code: 'capacity', retryable: true } })
    expect((await launch('other-type', { ...pool, instanceType: 'g5.2xlarge' })).ok).toBe(true)
    await f.sim.clearFault(shortage.id)
    expect((await launch('cap')).ok).toBe(true) // a retryable failure is not remembered
    const failure = await f.sim.injectFault({ customer_id: f.customerId, deployment_id: 'spot-8b', target: 'all', kind: 'launch_failure' })
    expect(await launch('lf')).toMatchObject({ ok: false, error: { code: 'launch_failed', retryable: false } })
    await f.sim.clearFault(failure.id)
    expect(await launch('lf')).toMatchObject({ ok: false, error: { code: 'launch_failed' } }) // final: same answer for the same change
    expect((await launch('lf-2')).ok).toBe(true)
  })

  it('runs as a background service on a scaled clock and stops cleanly', async () => {
    const f = await simFixture(db, spotFleet(2, 'g5.xlarge', 'aws'))
    const service = new Simulator({ db, clock: scaledClock(600, f.clock.now()), seed: 42 }).ticker()
    await service.start()
    await waitFor(async () => (await service.check!())?.startsWith('last tick'), { timeoutMs: 10_000 })
    await service.stop()
    const idle = new Simulator({ db, clock: f.clock, seed: 42 }).ticker()
    await idle.start() // manual clock: no loop (tests call tick())
    expect(await idle.check!()).toContain('not ticking')
    await idle.stop()
  })
})
