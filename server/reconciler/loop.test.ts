import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import pino from 'pino'
import { freshDb, testDbKind } from '../test/db.ts'
import type { Db } from '../db/db.ts'
import type { LiveEvent, LiveHub } from '../http/live.ts'
import { listAudit } from '../audit/store.ts'
import { simFixture, type SimFixture } from '../cloud/simulator/testing.ts'
import type { FleetSpec } from '../cloud/index.ts'
import type { ReconcilerDeps } from './act.ts'
import { lastAppliedCapacity, recordApplied } from './intended.ts'
import { reconcileAll } from './loop.ts'
import { beginAction, listActions, openIncidents } from './store.ts'

let db: Db
let drop: () => Promise<void>
beforeAll(async () => { ({ db, drop } = await freshDb()) }, 60_000)
afterAll(async () => { await db?.close(); await drop?.() })

const BOOTED = 180_000
const fleet = (n: number, pricing: 'spot' | 'on-demand'): FleetSpec => ({
  instances: Array.from({ length: n }, (_, i) => ({ instance_id: `r-${pricing}-${i}`, instance_type: 'g5.xlarge', region: 'us-east-1', pricing, cloud: 'aws' as const })),
  vllm_deployments: [{ deployment_id: 'svc', model: 'meta-llama/Meta-Llama-3-8B-Instruct', instance_ids: Array.from({ length: n }, (_, i) => `r-${pricing}-${i}`), requests_per_second: 2 }],
})

function depsFor(f: SimFixture, events: LiveEvent[] = []): ReconcilerDeps {
  const live = { publish: async (e: LiveEvent) => { events.push(e) } } as unknown as LiveHub
  return {
    db, clock: f.clock, log: pino({ level: 'silent' }), live, cloud: f.sim,
    intended: lastAppliedCapacity(db, () => f.clock.now()), settings: { onDemandFloor: 1, spotRetryMs: 15 * 60_000 },
  }
}
const stableOf = async (f: SimFixture) => {
  const { instances, deployments } = await f.sim.listResources(f.customerId)
  const ids = new Set(deployments.find((d) => d.id === 'svc')!.stable.instanceIds)
  return instances.filter((i) => ids.has(i.id))
}

describe(`reconcile passes on ${testDbKind}`, () => {
  it('converges to the on-demand floor and then does nothing, pass after pass', async () => {
    const f = await simFixture(db, fleet(3, 'spot'))
    const deps = depsFor(f)
    expect((await reconcileAll(deps)).actions).toBeGreaterThanOrEqual(1) // floor launched
    f.clock.advance(BOOTED)
    await reconcileAll(deps) // surplus spot retired
    const settled = (await listActions(db, f.customerId)).length
    for (let i = 0; i < 3; i++) await reconcileAll(deps)
    expect((await listActions(db, f.customerId)).length).toBe(settled)
    expect((await stableOf(f)).map((i) => i.pricing).sort()).toEqual(['on-demand', 'spot', 'spot'])
  })

  it('resumes an action a crashed pass left running without launching twice', async () => {
    const f = await simFixture(db, fleet(2, 'on-demand'))
    const deps = depsFor(f)
    await reconcileAll(deps) // records the intent
    const [lost] = await stableOf(f)
    await f.sim.terminateInstances({ changeId: 'outage', customerId: f.customerId, instanceIds: [lost!.id] })
    const plan = { kind: 'replace' as const, reason: 'test: lost one', count: 1, candidates: [{ cloud: 'aws' as const, region: 'us-east-1', instanceType: 'g5.xlarge', pricing: 'on-demand' as const }] }
    const action = (await beginAction(db, f.customerId, 'svc', plan, f.clock.now()))!
    // the crashed pass got as far as the launch
    const first = await f.sim.launchInstances({ changeId: `reconciler:${action.id}:launch:0`, customerId: f.customerId, deploymentId: 'svc', pool: { ...plan.candidates[0]!, count: 1 } })
    expect(first.ok).toBe(true)
    expect(await beginAction(db, f.customerId, 'svc', plan, f.clock.now())).toBeNull() // one running action per deployment
    const report = await reconcileAll(deps)
    expect(report.resumed).toBe(1)
    const launched = (await f.sim.listResources(f.customerId)).instances.filter((i) => i.state !== 'terminated' && !i.id.startsWith('r-'))
    expect(launched.map((i) => i.id)).toEqual(first.ok ? first.value.map((i) => i.id) : [])
    expect((await stableOf(f)).filter((i) => i.state !== 'terminated')).toHaveLength(2)
  })

  it('opens a down incident when nothing serves and resolves it once a replacement runs, audited and live', async () => {
    const f = await simFixture(db, fleet(1, 'on-demand'))
    const events: LiveEvent[] = []
    const deps = depsFor(f, events)
    await reconcileAll(deps)
    const shortage = await f.sim.injectFault({ customer_id: f.customerId, target: 'all', kind: 'capacity_shortage', instance_type: 'g5.xlarge' })
    await f.sim.terminateInstances({ changeId: 'outage', customerId: f.customerId, instanceIds: ['r-on-demand-0'] })
    await reconcileAll(deps)
    expect((await openIncidents(db, f.customerId)).map((i) => [i.deploymentId, i.kind])).toEqual([['svc', 'down']])
    expect((await listActions(db, f.customerId))[0]).toMatchObject({ kind: 'replace', status: 'failed' })
    await f.sim.clearFault(shortage.id)
    f.clock.advance(61_000) // past the failed-action backoff
    await reconcileAll(deps)
    f.clock.advance(BOOTED)
    await reconcileAll(deps)
    expect(await openIncidents(db, f.customerId)).toEqual([])
    const actions = (await listAudit(db, f.customerId)).map((e) => e.action)
    expect(actions).toEqual(expect.arrayContaining(['incident:opened', 'reconciler:replace:failed', 'reconciler:replace', 'incident:resolved']))
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['incident:opened', 'reconciler:action', 'incident:resolved']))
  })

  it('replaces a fleet lost before its first pass when the registration recorded what was applied', async () => {
    const f = await simFixture(db, fleet(2, 'on-demand'))
    await recordApplied({ db, clock: f.clock, cloud: f.sim }, f.customerId)
    await f.sim.terminateInstances({ changeId: 'outage', customerId: f.customerId, instanceIds: ['r-on-demand-0', 'r-on-demand-1'] })
    await reconcileAll(depsFor(f))
    expect((await listActions(db, f.customerId))[0]).toMatchObject({ kind: 'replace', status: 'done', plan: { count: 2 } })
    expect(await stableOf(f)).toHaveLength(2)
  })

  it('falls back to on-demand while spot runs short and returns the capacity to spot once it is back', async () => {
    const f = await simFixture(db, fleet(3, 'spot'))
    const deps = depsFor(f)
    await reconcileAll(deps) // floor
    f.clock.advance(BOOTED)
    await reconcileAll(deps) // spot surplus retired: 1 on-demand + 2 spot
    const shortage = await f.sim.injectFault({ customer_id: f.customerId, target: 'all', kind: 'capacity_shortage', pricing: 'spot' })
    await f.sim.injectFault({ customer_id: f.customerId, deployment_id: 'svc', target: 'all', kind: 'spot_interruption' })
    await reconcileAll(deps)
    const fallback = (await listActions(db, f.customerId))[0]!
    expect(fallback).toMatchObject({ kind: 'replace', status: 'done', result: { pool: { pricing: 'on-demand', count: 2 } } })
    expect((fallback.result!.attempts as unknown[]).length).toBeGreaterThan(0) // every spot pool refused first
    f.clock.advance(BOOTED)
    await reconcileAll(deps) // spot still short: the return to spot is refused and deferred
    expect((await listActions(db, f.customerId))[0]).toMatchObject({ kind: 'return_to_spot', status: 'failed' })
    expect((await stableOf(f)).map((i) => i.pricing)).toEqual(['on-demand', 'on-demand', 'on-demand'])
    await f.sim.clearFault(shortage.id)
    await reconcileAll(deps)
    expect((await listActions(db, f.customerId))[0]!.kind).toBe('return_to_spot') // not yet due
    expect((await listActions(db, f.customerId))[0]!.status).toBe('failed')
    f.clock.advance(15 * 60_000)
    await reconcileAll(deps)
    expect((await listActions(db, f.customerId))[0]).toMatchObject({ kind: 'return_to_spot', status: 'done', result: { pool: { pricing: 'spot', count: 2 } } })
    f.clock.advance(BOOTED)
    await reconcileAll(deps)
    expect((await listActions(db, f.customerId))[0]).toMatchObject({ kind: 'retire', status: 'done' })
    const live = (await stableOf(f)).filter((i) => i.state !== 'terminated')
    expect(live.map((i) => i.pricing).sort()).toEqual(['on-demand', 'spot', 'spot'])
  })
})
