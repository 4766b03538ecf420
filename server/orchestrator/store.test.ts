import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { manualClock } from '../clock.ts'
import type { Db } from '../db/db.ts'
import { freshDb } from '../test/db.ts'
import { chooseAgent, healthOf, leaseMs, MAX_LEASE_MS, MIN_LEASE_MS } from './orchestrator.ts'
import {
  claimTask, customerHeartbeats, dbNow, failExhausted, finishTask, insertAgent, insertAnalysis, insertTask, listAgentEvents, recordAgentEvent,
  recordHeartbeat, renewLease, updateAnalysis, type AgentRow,
} from './store.ts'

let db: Db
let drop: () => Promise<void>
let customerId: string
const clock = manualClock()
beforeAll(async () => {
  ({ db, drop } = await freshDb())
  customerId = (await db.query<{ id: string }>(`INSERT INTO customers (company_name) VALUES ('Orchestrator Co') RETURNING id`))[0]!.id
}, 60_000)
afterAll(async () => { await db?.close(); await drop?.() })

let hosts = 0
const agent = (type: AgentRow['agent_type'] = 'cost', interval = 5000) =>
  insertAgent(db, { agent_type: type, version: '1.0.0', capabilities: ['cost_optimization'], hostname: `h-${++hosts}`, mode: 'remote', token_id: null, heartbeat_interval_ms: interval })
const task = (routed: string | null = null, type: AgentRow['agent_type'] = 'cost') =>
  insertTask(db, { customer_id: customerId, kind: 'analyze', agent_type: type, analysis_id: null, recommendation_id: null, routed_agent_id: routed })
const clearQueue = () => db.query(`UPDATE agent_tasks SET status = 'completed' WHERE status IN ('queued', 'running')`)

describe('orchestrator rules', () => {
  it('judges health from heartbeat age in missed intervals, and routes to the least-loaded active instance', () => {
    const now = new Date('2026-01-01T00:00:10Z')
    const at = (ms: number) => ({ status: 'active', heartbeat_interval_ms: 1000, last_heartbeat_at: new Date(now.getTime() - ms) })
    expect([healthOf(at(2000), now), healthOf(at(3000), now), healthOf(at(7000), now)]).toEqual(['active', 'unhealthy', 'offline'])
    expect(healthOf({ ...at(0), status: 'stopped' }, now)).toBe('offline')
    expect(healthOf({ ...at(0), status: 'draining' }, now)).toBe('unhealthy')
    const c = (id: string, load: number, health: 'active' | 'unhealthy' = 'active', caps = ['cost_optimization']) => ({ id, agent_type: 'cost' as const, capabilities: caps, health, current_tasks: 0, load })
    expect(chooseAgent([c('a', 0.9), c('b', 0.1), c('z', 0, 'unhealthy'), c('y', 0, 'active', ['other'])], 'cost', 'cost_optimization')?.id).toBe('b')
    expect(chooseAgent([c('z', 0, 'unhealthy')], 'cost', 'cost_optimization')).toBeNull()
    expect([leaseMs(undefined), leaseMs(1), leaseMs(1e9)]).toEqual([30_000, MIN_LEASE_MS, MAX_LEASE_MS])
  })
})

describe('orchestrator store', () => {
  it('stores a heartbeat with its timestamp, once for the agent and once per customer it covers', async () => {
    const a = await agent()
    await db.tx((tx) => recordHeartbeat(tx, a, { status: 'active', current_tasks: 2, load: 0.45, customerIds: [customerId] }))
    const rows = await db.query<{ customer_id: string | null; current_tasks: number; timestamp: Date }>('SELECT customer_id, current_tasks, "timestamp" FROM agent_heartbeats WHERE agent_id = $1', [a.id])
    expect(rows.map((r) => r.customer_id).sort()).toEqual([customerId, null].sort())
    expect(rows.every((r) => r.current_tasks === 2 && r.timestamp instanceof Date)).toBe(true)
    expect((await customerHeartbeats(db, customerId)).map((b) => b.agent_type)).toContain('cost')
  })

  it('gives a routed task to its instance first, to others after the grace or when it stops heartbeating', async () => {
    await clearQueue()
    const [a, b] = [await agent(), await agent()]
    const t = await task(a.id)
    expect(await db.tx((tx) => claimTask(tx, b, 5000))).toBeUndefined()
    await db.query(`UPDATE agents SET last_heartbeat_at = now() - interval '1 minute' WHERE id = $1`, [a.id])
    expect((await db.tx((tx) => claimTask(tx, b, 5000)))?.id).toBe(t)
    const t2 = await task(a.id)
    await db.query(`UPDATE agents SET last_heartbeat_at = now() WHERE id = $1`, [a.id])
    await db.query(`UPDATE agent_tasks SET created_at = now() - interval '10 seconds' WHERE id = $1`, [t2])
    expect((await db.tx((tx) => claimTask(tx, b, 5000)))?.id).toBe(t2)
  })

  it('puts a task whose lease expired back in play, and drops the old holder\'s result', async () => {
    await clearQueue()
    const [a, b] = [await agent(), await agent()]
    const t = await task()
    const first = await db.tx((tx) => claimTask(tx, a, 60_000))
    expect(first?.id).toBe(t)
    expect(await db.tx((tx) => claimTask(tx, b, 60_000))).toBeUndefined()
    expect(await renewLease(db, t, a.id, 60_000)).toBe(true)
    await db.query(`UPDATE agent_tasks SET lease_until = now() - interval '1 second' WHERE id = $1`, [t])
    const second = await db.tx((tx) => claimTask(tx, b, 60_000))
    expect(second).toMatchObject({ id: t, claimed_by: b.id, attempts: 2 })
    expect(await db.tx((tx) => finishTask(tx, t, a.id, { ok: true }))).toBeUndefined()
    expect(await renewLease(db, t, a.id, 60_000)).toBe(false)
    expect((await db.tx((tx) => finishTask(tx, t, b.id, { ok: true })))?.status).toBe('completed')
  })

  it('retries a failed task until its attempts run out, then fails it', async () => {
    await clearQueue()
    const a = await agent()
    const t = await task()
    for (let i = 1; i <= 3; i++) {
      await db.tx((tx) => claimTask(tx, a, 60_000))
      const done = await db.tx((tx) => finishTask(tx, t, a.id, { ok: false, error: `boom ${i}` }))
      expect(done?.status).toBe(i < 3 ? 'queued' : 'failed')
    }
    const t2 = await task()
    for (let i = 0; i < 3; i++) {
      await db.tx((tx) => claimTask(tx, a, 60_000))
      await db.query(`UPDATE agent_tasks SET lease_until = now() - interval '1 second' WHERE id = $1`, [t2])
    }
    expect((await failExhausted(db)).map((x) => x.id)).toEqual([t2])
  })

  it('derives an analysis status from its tasks', async () => {
    await clearQueue()
    const a = await agent('performance')
    const id = await db.tx((tx) => insertAnalysis(tx, { customer_id: customerId, agent_types: ['performance'], analysis_type: null, trigger: 'api', requested_by: 'test' }, clock.now()))
    const t = await insertTask(db, { customer_id: customerId, kind: 'analyze', agent_type: 'performance', analysis_id: id, recommendation_id: null, routed_agent_id: null })
    expect((await db.tx((tx) => updateAnalysis(tx, id, null, clock.now()))).status).toBe('started')
    await db.tx((tx) => claimTask(tx, a, 60_000))
    expect((await db.tx((tx) => updateAnalysis(tx, id, null, clock.now()))).status).toBe('running')
    await db.tx((tx) => finishTask(tx, t, a.id, { ok: true }))
    const done = await db.tx((tx) => updateAnalysis(tx, id, { agentType: 'performance', result: { status: 'completed' } }, clock.now()))
    expect(done.status).toBe('completed')
    expect(done.result).toEqual({ performance: { status: 'completed' } })
  })

  it('records agent events with the clock\'s time, including the orchestrator\'s', async () => {
    await recordAgentEvent(db, clock, { customerId, agentType: 'orchestrator', eventType: 'resolution_executed', data: { resolution_id: 'r1' } })
    const events = await listAgentEvents(db, customerId, 'resolution_executed')
    expect(events.at(-1)).toMatchObject({ agent_type: 'orchestrator', event_type: 'resolution_executed', data: { resolution_id: 'r1' }, at: clock.now().toISOString() })
    expect((await dbNow(db)).getTime()).toBeGreaterThan(0)
  })
})
