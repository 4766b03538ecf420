import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { waitFor, type TestPlatform } from '../test/platform.ts'
import { configPlanFor, insertRecommendation, registerSeedFleet, spotPlanFor, startWorkflowPlatform } from '../test/optimization-fixtures.ts'
import type { Optimization } from '../../api/optimizations.ts'
import { listAgentEvents } from '../orchestrator/store.ts'

let p: TestPlatform
beforeAll(async () => { p = await startWorkflowPlatform() }, 60_000)
afterAll(async () => { await p?.stop() })

async function finished(id: string, token: string): Promise<Optimization> {
  return waitFor(async () => {
    const r = await p.http<Optimization>('GET', `/optimizations/${id}`, { token })
    return ['completed', 'failed', 'rolled_back'].includes(r.body.status) ? r.body : null
  }, { timeoutMs: 60_000, what: `optimization ${id}` })
}

async function costAndPerf(suffix: string, perfPatch: Record<string, unknown> = { kvCacheDtype: 'fp8' }) {
  const c = await p.newCustomer()
  const dep = await registerSeedFleet(p.deps.twin!, c.customerId, suffix)
  const spot = await spotPlanFor(p.deps.twin!, c.customerId, dep.id)
  const costRec = await insertRecommendation(p.deps.db, p.deps.clock, { customerId: c.customerId, plan: spot.plan, savings: spot.before - spot.after, before: spot.before })
  const perfPlan = await configPlanFor(p.deps.twin!, c.customerId, dep.id, perfPatch)
  const perfRec = await insertRecommendation(p.deps.db, p.deps.clock, {
    customerId: c.customerId, type: 'kv_cache_tuning', agentType: 'performance', riskLevel: 'low', plan: perfPlan, savings: 0,
    validations: [{ agent_type: 'cost', approved: true, reason: 'no cost impact' }, { agent_type: 'application', approved: true, baseline_established: true, reason: 'baseline 0.925' }],
  })
  return { c, dep, costRec, perfRec, spot }
}

describe('multi-agent conflict resolution (seed 001 scenario 3)', () => {
  it('detects the conflict, negotiates a hybrid by priority, executes it, and notifies every agent involved', async () => {
    const { c, dep, costRec, perfRec, spot } = await costAndPerf('h')
    const res = await p.http('POST', '/orchestrator/resolve-conflict', { token: c.token, body: { customer_id: c.customerId, recommendation_ids: [costRec, perfRec] } })
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ conflict_detected: true, resolution_strategy: 'negotiate_hybrid' })
    expect(res.body.hybrid_solution).toMatchObject({ on_demand_instances: 1, spot_instances: 1 })
    const exec = await p.http('POST', '/orchestrator/execute-resolution', { token: c.token, body: { resolution_id: res.body.id } })
    expect(exec.status).toBe(200)
    const again = await p.http('POST', '/orchestrator/execute-resolution', { token: c.token, body: { resolution_id: res.body.id } })
    expect(again.body.optimization_id).toBe(exec.body.optimization_id)
    const opt = await finished(exec.body.optimization_id, c.token)
    expect(opt.status).toBe('completed')
    const { instances, deployments } = await p.deps.twin!.listResources(c.customerId)
    const d = deployments.find((x) => x.id === dep.id)!
    expect(d.stable.config.kvCacheDtype).toBe('fp8')
    const pricing = instances.filter((i) => d.stable.instanceIds.includes(i.id)).map((i) => i.pricing).sort()
    expect(pricing).toEqual(['on-demand', 'spot'])
    const actual = opt.result.actual_savings!
    expect(actual).toBeGreaterThan(0)
    expect(actual).toBeLessThan(spot.before - spot.after)
    const events = await listAgentEvents(p.deps.db, c.customerId, 'resolution_executed')
    expect(new Set(events.map((e) => e.agent_type))).toEqual(new Set(['cost', 'performance', 'application', 'orchestrator']))
    const statuses = await p.deps.db.query<{ id: string; status: string }>('SELECT id, status FROM recommendations WHERE id = ANY($1::uuid[])', [[costRec, perfRec]])
    expect(statuses.map((s) => s.status)).toEqual(['superseded', 'superseded'])
    const audit = await p.http('GET', `/customers/${c.customerId}/audit?subject_id=${res.body.id}`, { token: c.token })
    expect(audit.body.map((a: { action: string }) => a.action)).toEqual(['conflict:resolved', 'conflict:executed'])
  }, 90_000)

  it('executes sequentially when the changes cannot be merged: never both on the deployment at once', async () => {
    const c = await p.newCustomer()
    const dep = await registerSeedFleet(p.deps.twin!, c.customerId, 'q')
    const kv = await insertRecommendation(p.deps.db, p.deps.clock, { customerId: c.customerId, type: 'kv_cache_tuning', agentType: 'performance', plan: await configPlanFor(p.deps.twin!, c.customerId, dep.id, { kvCacheDtype: 'fp8' }), savings: 0 })
    const batch = await insertRecommendation(p.deps.db, p.deps.clock, { customerId: c.customerId, type: 'batching_tuning', agentType: 'performance', plan: await configPlanFor(p.deps.twin!, c.customerId, dep.id, { maxNumSeqs: 128 }), savings: 0 })
    const res = await p.http('POST', '/orchestrator/resolve-conflict', { token: c.token, body: { customer_id: c.customerId, recommendation_ids: [kv, batch] } })
    expect(res.body).toMatchObject({ conflict_detected: true, resolution_strategy: 'sequential_execution' })
    expect(res.body.execution_order).toHaveLength(2)
    const exec = await p.http('POST', '/orchestrator/execute-resolution', { token: c.token, body: { resolution_id: res.body.id } })
    const [first, second] = exec.body.optimization_ids as string[]
    const a = await finished(first!, c.token)
    const b = await finished(second!, c.token)
    expect([a.status, b.status]).toEqual(['completed', 'completed'])
    expect(new Date(b.started_at!).getTime()).toBeGreaterThanOrEqual(new Date(a.completed_at!).getTime())
    const d = (await p.deps.twin!.listResources(c.customerId)).deployments.find((x) => x.id === dep.id)!
    expect(d.stable.config).toMatchObject({ kvCacheDtype: 'fp8', maxNumSeqs: 128 })
  }, 120_000)

  it("puts the customer's preference first, and keeps tenants apart", async () => {
    const { c, costRec, perfRec } = await costAndPerf('c')
    await p.http('PATCH', `/customers/${c.customerId}`, { token: c.token, body: { preferences: { never_spot_deployments: ['vllm-prod-c'] } } })
    const other = await p.newCustomer('Other')
    expect((await p.http('POST', '/orchestrator/resolve-conflict', { token: other.token, body: { customer_id: c.customerId, recommendation_ids: [costRec, perfRec] } })).status).toBe(403)
    expect((await p.http('POST', '/orchestrator/resolve-conflict', { token: other.token, body: { customer_id: other.customerId, recommendation_ids: [costRec, perfRec] } })).status).toBe(404)
    const res = await p.http('POST', '/orchestrator/resolve-conflict', { token: c.token, body: { customer_id: c.customerId, recommendation_ids: [costRec, perfRec] } })
    expect(res.body).toMatchObject({ resolution_strategy: 'prioritize_customer', chosen_recommendation: perfRec })
    expect(res.body.rationale).toMatch(/never wants spot/)
    expect((await p.http('POST', '/orchestrator/execute-resolution', { token: other.token, body: { resolution_id: res.body.id } })).status).toBe(403)
  }, 60_000)
})
