import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TestPlatform } from '../test/platform.ts'
import { insertRecommendation, registerSeedFleet, spotPlanFor, startWorkflowPlatform } from '../test/optimization-fixtures.ts'
import { insertAgent, recordHeartbeat } from '../orchestrator/store.ts'
import type { Dashboard } from '../../api/dashboard.ts'

let p: TestPlatform
beforeAll(async () => { p = await startWorkflowPlatform() }, 60_000)
afterAll(async () => { await p?.stop() })

describe('GET /portal/customers/{id}/dashboard', () => {
  it('computes every figure from stored data: bill, validated recommendations, telemetry, quality, agents', async () => {
    const c = await p.newCustomer()
    const dep = await registerSeedFleet(p.deps.twin!, c.customerId, 'dash')
    const { plan, before, after } = await spotPlanFor(p.deps.twin!, c.customerId, dep.id)
    await insertRecommendation(p.deps.db, p.deps.clock, { customerId: c.customerId, plan, savings: before - after, before })
    await insertRecommendation(p.deps.db, p.deps.clock, { customerId: c.customerId, plan, savings: 999, validations: [{ agent_type: 'performance', approved: false, reason: 'no' }] })
    const now = p.deps.clock.now()
    for (const [type, value] of [['e2e_p95_ms', 1650], ['e2e_p99_ms', 2300], ['error_rate', 0.0001], ['throughput_rps', 45]] as const) {
      await p.deps.db.query(`INSERT INTO deployment_metrics (customer_id, deployment_id, "group", metric_type, ts, value) VALUES ($1, $2, 'stable', $3, $4, $5)`, [c.customerId, dep.id, type, new Date(now.getTime() - 60_000), value])
    }
    await p.deps.db.query(`INSERT INTO quality_scores (customer_id, deployment_id, "group", ts, score, n) VALUES ($1, $2, 'stable', $3, 0.925, 40)`, [c.customerId, dep.id, now])
    const agent = await insertAgent(p.deps.db, { agent_type: 'cost', version: '1', capabilities: ['cost_optimization'], hostname: 'h', mode: 'in_process', token_id: null, heartbeat_interval_ms: 5000 })
    await recordHeartbeat(p.deps.db, agent, { status: 'active', current_tasks: 0, load: 0.1, customerIds: [c.customerId] })

    const r = await p.http<Dashboard>('GET', `/portal/customers/${c.customerId}/dashboard`, { token: c.token })
    expect(r.status).toBe(200)
    const d = r.body
    expect(d.current_spend).toBeCloseTo(await p.deps.twin!.monthlyRunRateUsd(c.customerId), 0)
    expect(d.potential_savings).toBeCloseTo(before - after, 2)
    expect(d.realized_savings).toBe(0)
    expect(d.recommendations).toHaveLength(2)
    expect(d.recommendations.map((x) => x.validated)).toEqual([true, false])
    const slo = d.slo.deployments.find((x) => x.deployment_id === dep.id)!
    expect(slo).toMatchObject({ p95_latency_ms: 1650, p99_latency_ms: 2300 })
    expect(slo.error_rate).toBeCloseTo(0.0001, 10)
    expect(slo.compliant).toBe(slo.p95_latency_ms! <= slo.limits.p95_ms && slo.p99_latency_ms! <= slo.limits.p99_ms)
    expect(d.quality).toMatchObject({ score: 0.925, deployments: [{ deployment_id: dep.id, score: 0.925, samples: 40 }] })
    expect(d.agents.map((a) => a.agent_type)).toEqual(['cost', 'performance', 'resource', 'application'])
    expect(d.agents[0]).toMatchObject({ status: 'active', instances: 1, last_heartbeat: expect.any(String) })
    expect(d.agents[1]).toMatchObject({ status: 'not_registered', last_heartbeat: null })
  })

  it('refuses other tenants and anonymous callers', async () => {
    const a = await p.newCustomer()
    const b = await p.newCustomer('B')
    expect((await p.http('GET', `/portal/customers/${a.customerId}/dashboard`, { token: b.token })).status).toBe(403)
    expect((await p.http('GET', `/portal/customers/${a.customerId}/dashboard`)).status).toBe(401)
    expect((await p.http('GET', '/portal/customers/not-a-uuid/dashboard', { token: a.token })).status).toBe(400)
  })
})
