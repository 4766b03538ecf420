import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freshDb } from '../test/db.ts'
import type { Db } from '../db/db.ts'
import { simFixture } from '../cloud/simulator/testing.ts'
import { directActuator, manualActuator } from './manual.ts'
import { insertActuator, listActions } from './store.ts'

let db: Db
let drop: () => Promise<void>
beforeAll(async () => { ({ db, drop } = await freshDb()) }, 60_000)
afterAll(async () => { await db?.close(); await drop?.() })

/** A running extra instance for the canary group. */
async function canaryInstance(f: Awaited<ReturnType<typeof simFixture>>) {
  const launched = await f.sim.launchInstances({ changeId: 'launch-1', customerId: f.customerId, deploymentId: 'chat-8b', pool: { cloud: 'aws', region: 'us-east-1', instanceType: 'g6e.xlarge', pricing: 'on-demand', count: 1 } })
  if (!launched.ok) throw new Error(launched.error.message)
  f.clock.advance(10 * 60_000)
  return launched.value.map((i) => i.id)
}

describe('the advisory (manual) actuator', () => {
  it('records what a human must apply, waits, and completes once the fleet shows it', async () => {
    const f = await simFixture(db)
    const record = (await insertActuator(db, { id: crypto.randomUUID(), customer_id: f.customerId, kind: 'manual', repository: null, branch: null, layout: null }, f.clock.now()))!
    const manual = manualActuator({ db, clock: f.clock, cloud: f.sim, actuatorId: record.id })
    const ids = await canaryInstance(f)
    const dep = (await f.sim.listResources(f.customerId)).deployments[0]!
    const req = { changeId: 'run-1:deploy_canary', customerId: f.customerId, deploymentId: 'chat-8b', label: 'FP8 KV cache', group: { instanceIds: ids, config: { ...dep.stable.config, kvCacheDtype: 'fp8' as const } }, weight: 10 }

    const first = await manual.setCanary(req)
    expect(first.ok).toBe('pending')
    const [action] = await listActions(db, f.customerId)
    expect(action!.instruction).toMatch(/route 90% of traffic to stable and 10% to canary/)
    expect(action!.instruction).toMatch(/--kv-cache-dtype=fp8/)
    expect(action!.applied_at).toBeNull()

    // the human applies it (here through the provider, as their own tooling would)
    const { label: _l, ...providerReq } = req
    expect((await directActuator(f.sim).setCanary({ ...providerReq, changeId: 'human-1', label: 'x' })).ok).toBe(true)
    const second = await manual.setCanary(req)
    expect(second.ok).toBe(true)
    expect((await listActions(db, f.customerId))[0]!.applied_at).not.toBeNull()
    expect(await listActions(db, f.customerId)).toHaveLength(1)
  })

  it('refuses to promote when there is no canary group', async () => {
    const f = await simFixture(db)
    const record = (await insertActuator(db, { id: crypto.randomUUID(), customer_id: f.customerId, kind: 'manual', repository: null, branch: null, layout: null }, f.clock.now()))!
    const manual = manualActuator({ db, clock: f.clock, cloud: f.sim, actuatorId: record.id })
    const r = await manual.promoteCanary({ changeId: 'run-2:full_rollout', customerId: f.customerId, deploymentId: 'chat-8b', label: 'x' })
    expect(r.ok).toBe(false)
  })
})
