/**
 * Five changes to one deployment, all computed on generation 1 and approved one after another (each
 * after the previous completed), through the HTTP API on a fleet registered through the API: every
 * one is rebased onto the spec the previous left, so the desired spec and the fleet end up with all
 * five effects; a capacity alternative computed on generation 1 is superseded once another capacity
 * change executed. Recommendations are fixtures (the agents' drafts vary with the simulated market).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { waitFor } from '../test/platform.ts'
import { configPlanFor, insertRecommendation, seedFleetSpec, spotPlanFor, startWorkflowPlatform } from '../test/optimization-fixtures.ts'
import type { EngineConfig } from '../cloud/model/serving.ts'
import type { RecommendationType } from '../recommendations/recommendation.ts'
import { stampDraft } from './delta.ts'
import { getRecommendation } from '../optimizations/store.ts'

let p: Awaited<ReturnType<typeof startWorkflowPlatform>>
beforeAll(async () => { p = await startWorkflowPlatform() }, 60_000)
afterAll(async () => { await p?.stop() })

async function finished(id: string, token: string) {
  return waitFor(async () => {
    const r = await p.http('GET', `/optimizations/${id}`, { token })
    return ['completed', 'failed', 'rolled_back', 'paused'].includes(r.body.status) ? r.body : null
  }, { timeoutMs: 90_000, what: `optimization ${id}` })
}

describe('composed changes on one deployment', () => {
  it('five changes computed on generation 1, approved one after another, leave all five effects', async () => {
    const c = await p.newCustomer('Compose Corp')
    expect((await p.http('POST', `/customers/${c.customerId}/infrastructure`, { token: c.token, body: seedFleetSpec('cmp') })).status).toBe(201)
    const dep = 'vllm-prod-cmp'
    const insert = async (type: RecommendationType, patch: Partial<EngineConfig>) => {
      const plan = await configPlanFor(p.deps.twin!, c.customerId, dep, patch)
      const id = await insertRecommendation(p.deps.db, p.deps.clock, { customerId: c.customerId, type, agentType: 'performance', riskLevel: 'low', plan, savings: 0 })
      await stampDraft(p.deps.db, c.customerId, id, { type, plan })
      return id
    }
    const spot = await spotPlanFor(p.deps.twin!, c.customerId, dep)
    const spotId = await insertRecommendation(p.deps.db, p.deps.clock, { customerId: c.customerId, plan: spot.plan, savings: spot.before - spot.after, before: spot.before })
    await stampDraft(p.deps.db, c.customerId, spotId, { type: 'spot_migration', plan: spot.plan })
    const reservedPlan = { ...spot.plan, pools: spot.plan.pools.map((x) => ({ ...x, pricing: 'reserved' as const })), summary: 'reserved' }
    const reservedId = await insertRecommendation(p.deps.db, p.deps.clock, { customerId: c.customerId, type: 'reserved_capacity', plan: reservedPlan, savings: 1000 })
    await stampDraft(p.deps.db, c.customerId, reservedId, { type: 'reserved_capacity', plan: reservedPlan })
    const changes: [string, Partial<EngineConfig>][] = [
      [await insert('kv_cache_tuning', { kvCacheDtype: 'fp8' }), { kvCacheDtype: 'fp8' }],
      [await insert('batching_tuning', { maxNumSeqs: 128 }), { maxNumSeqs: 128 }],
      [await insert('batching_tuning', { maxNumBatchedTokens: 4096 }), { maxNumBatchedTokens: 4096 }],
      [await insert('quantization', { quantization: 'fp8' }), { quantization: 'fp8' }],
    ]
    const approve = async (id: string) => {
      let r = await p.http('POST', `/recommendations/${id}/approve`, { token: c.token })
      if (r.status === 409 && r.body.code === 'OPT_RECOMMENDATION_CHANGED') r = await p.http('POST', `/recommendations/${id}/approve`, { token: c.token })
      return r
    }
    const infra = async () => (await p.http('GET', `/customers/${c.customerId}/infrastructure`, { token: c.token })).body.vllm_deployments[0]

    const first = await approve(spotId)
    expect(first.status, JSON.stringify(first.body)).toBe(200)
    expect((await finished(first.body.optimization_id, c.token)).status).toBe('completed')
    // an alternative computed on generation 1 (it changes the pools too): superseded, with the reason
    const alt = await p.http('POST', `/recommendations/${reservedId}/approve`, { token: c.token })
    expect(alt.status).toBe(409)
    expect(alt.body.code).toBe('OPT_RECOMMENDATION_SUPERSEDED')
    expect((await getRecommendation(p.deps.db, reservedId))!.rejectReason).toMatch(/was approved/)

    const want: Partial<EngineConfig> = {}
    for (const [i, [id, patch]] of changes.entries()) {
      const r = await approve(id)
      expect(r.status, JSON.stringify(r.body)).toBe(200)
      const opt = await finished(r.body.optimization_id, c.token)
      expect(opt.status, JSON.stringify(opt.result)).toBe('completed')
      Object.assign(want, patch)
      const d = await infra()
      expect(d.generation).toBe(i + 3)
      expect(d.desired.engine).toMatchObject(want)
      expect(d.desired.pools.every((x: { pricing: string }) => x.pricing === 'spot')).toBe(true)
    }
    const d = await infra()
    expect(d.observed.in_sync).toBe(true)
    expect(d.observed.engine).toMatchObject(want)
    expect(d.observed.instances.every((i: { pricing: string }) => i.pricing === 'spot')).toBe(true)
  }, 400_000)

  it('counts one alternative per group as potential savings, and a sequential resolution executes one alternative per group on the state the previous left', async () => {
    const c = await p.newCustomer('Alternatives Corp')
    expect((await p.http('POST', `/customers/${c.customerId}/infrastructure`, { token: c.token, body: seedFleetSpec('alt') })).status).toBe(201)
    const dep = 'vllm-prod-alt'
    const spot = await spotPlanFor(p.deps.twin!, c.customerId, dep)
    const add = async (type: RecommendationType, agentType: string, plan: typeof spot.plan, savings: number) => {
      const id = await insertRecommendation(p.deps.db, p.deps.clock, { customerId: c.customerId, type, agentType, plan, savings, before: spot.before })
      await stampDraft(p.deps.db, c.customerId, id, { type, plan })
      return id
    }
    const spotId = await add('spot_migration', 'cost', spot.plan, spot.before - spot.after)
    const reservedPlan = { ...spot.plan, pools: spot.plan.pools.map((x) => ({ ...x, pricing: 'reserved' as const })), summary: 'reserved' }
    const reservedId = await add('reserved_capacity', 'cost', reservedPlan, 0.3 * spot.before)
    const kvId = await add('kv_cache_tuning', 'performance', await configPlanFor(p.deps.twin!, c.customerId, dep, { kvCacheDtype: 'fp8' }), 0)
    const dash = (await p.http('GET', `/portal/customers/${c.customerId}/dashboard`, { token: c.token })).body
    expect(dash.potential_savings).toBeCloseTo(Math.min(spot.before - spot.after, dash.current_spend), 0)
    expect(dash.potential_savings).toBeLessThanOrEqual(dash.current_spend)

    const res = (await p.http('POST', '/orchestrator/resolve-conflict', { token: c.token, body: { customer_id: c.customerId, recommendation_ids: [spotId, reservedId, kvId] } })).body
    expect(res.resolution_strategy).toBe('sequential_execution')
    expect(res.execution_order).toEqual([kvId, spotId])
    const exec = await p.http('POST', '/orchestrator/execute-resolution', { token: c.token, body: { resolution_id: res.id } })
    expect(exec.status, JSON.stringify(exec.body)).toBe(200)
    expect(exec.body.optimization_ids).toHaveLength(2)
    for (const id of exec.body.optimization_ids as string[]) expect((await finished(id, c.token)).status).toBe('completed')
    expect((await getRecommendation(p.deps.db, reservedId))!.status).toBe('superseded')
    const d = (await p.http('GET', `/customers/${c.customerId}/infrastructure`, { token: c.token })).body.vllm_deployments[0]
    expect(d.generation).toBe(3)
    expect(d.desired.engine.kvCacheDtype).toBe('fp8')
    expect(d.desired.pools.every((x: { pricing: string }) => x.pricing === 'spot')).toBe(true)
    expect(d.observed.engine.kvCacheDtype).toBe('fp8')
  }, 300_000)

  it('a change that loses money (from the bill) ends success:false, outcome regressed, and still makes a generation', async () => {
    const c = await p.newCustomer('Regress Corp')
    expect((await p.http('POST', `/customers/${c.customerId}/infrastructure`, { token: c.token, body: seedFleetSpec('reg') })).status).toBe(201)
    const current = await configPlanFor(p.deps.twin!, c.customerId, 'vllm-prod-reg', {})
    // one more on-demand box than today, sold as a saving
    const plan = { ...current, pools: current.pools.map((x) => ({ ...x, count: x.count + 1 })), summary: '3× p4d.24xlarge on-demand' }
    const id = await insertRecommendation(p.deps.db, p.deps.clock, { customerId: c.customerId, type: 'instance_rightsizing', agentType: 'resource', plan, savings: 1000 })
    await stampDraft(p.deps.db, c.customerId, id, { type: 'instance_rightsizing', plan })
    const r = await p.http('POST', `/recommendations/${id}/approve`, { token: c.token })
    expect(r.status, JSON.stringify(r.body)).toBe(200)
    const opt = await finished(r.body.optimization_id, c.token)
    expect(opt.status).toBe('completed')
    expect(opt.result.actual_savings).toBeLessThan(0)
    expect(opt.result).toMatchObject({ success: false, outcome: 'regressed' })
    expect(opt.result.error).toMatch(/negative/)
    const d = (await p.http('GET', `/customers/${c.customerId}/infrastructure`, { token: c.token })).body.vllm_deployments[0]
    expect(d.generation).toBe(2)
    expect(d.desired.pools[0].count).toBe(3)
  }, 200_000)

  it('a queued change whose field an earlier change took meanwhile is superseded before its first step, and launches nothing', async () => {
    const c = await p.newCustomer('Queue Corp')
    expect((await p.http('POST', `/customers/${c.customerId}/infrastructure`, { token: c.token, body: seedFleetSpec('que') })).status).toBe(201)
    const dep = 'vllm-prod-que'
    const add = async (patch: Partial<EngineConfig>) => {
      const plan = await configPlanFor(p.deps.twin!, c.customerId, dep, patch)
      const id = await insertRecommendation(p.deps.db, p.deps.clock, { customerId: c.customerId, type: 'kv_cache_tuning', agentType: 'performance', riskLevel: 'low', plan, savings: 0 })
      await stampDraft(p.deps.db, c.customerId, id, { type: 'kv_cache_tuning', plan })
      return id
    }
    // different knob sets (two groups), one knob in common
    const a = await add({ kvCacheDtype: 'fp8', gpuMemoryUtilization: 0.95 })
    const b = await add({ kvCacheDtype: 'fp8', maxNumSeqs: 128 })
    const ra = await p.http('POST', `/recommendations/${a}/approve`, { token: c.token })
    const rb = await p.http('POST', `/recommendations/${b}/approve`, { token: c.token })
    expect([ra.status, rb.status]).toEqual([200, 200])
    expect((await finished(ra.body.optimization_id, c.token)).status).toBe('completed')
    const ob = await finished(rb.body.optimization_id, c.token)
    expect(ob.status).toBe('rolled_back')
    expect(ob.result.rollback_reason).toMatch(/superseded: approved on generation 1, generation 2 has since changed engine.kvCacheDtype/)
    // the first change launched a 2-instance canary and retired the old 2; the superseded one launched none
    expect((await p.deps.twin!.listResources(c.customerId)).instances).toHaveLength(4)
    const d = (await p.http('GET', `/customers/${c.customerId}/infrastructure`, { token: c.token })).body.vllm_deployments[0]
    expect(d.generation).toBe(2)
    expect(d.desired.engine).toMatchObject({ kvCacheDtype: 'fp8', gpuMemoryUtilization: 0.95 })
    expect(d.observed.instances).toHaveLength(2)
  }, 200_000)

  it('a queued configuration change that would now run on spot waits for re-approval before its first step, then runs with the spot pools intact', async () => {
    const c = await p.newCustomer('Reapprove Corp')
    expect((await p.http('POST', `/customers/${c.customerId}/infrastructure`, { token: c.token, body: seedFleetSpec('rea') })).status).toBe(201)
    const dep = 'vllm-prod-rea'
    const spot = await spotPlanFor(p.deps.twin!, c.customerId, dep)
    const spotId = await insertRecommendation(p.deps.db, p.deps.clock, { customerId: c.customerId, plan: spot.plan, savings: spot.before - spot.after, before: spot.before })
    await stampDraft(p.deps.db, c.customerId, spotId, { type: 'spot_migration', plan: spot.plan })
    const kvPlan = await configPlanFor(p.deps.twin!, c.customerId, dep, { kvCacheDtype: 'fp8' })
    const kvId = await insertRecommendation(p.deps.db, p.deps.clock, { customerId: c.customerId, type: 'kv_cache_tuning', agentType: 'performance', riskLevel: 'low', plan: kvPlan, savings: 0 })
    await stampDraft(p.deps.db, c.customerId, kvId, { type: 'kv_cache_tuning', plan: kvPlan })
    const a = await p.http('POST', `/recommendations/${spotId}/approve`, { token: c.token })
    const b = await p.http('POST', `/recommendations/${kvId}/approve`, { token: c.token })
    expect([a.status, b.status]).toEqual([200, 200])
    expect((await finished(a.body.optimization_id, c.token)).status).toBe('completed')
    const paused = await finished(b.body.optimization_id, c.token)
    expect(paused.status).toBe('paused')
    expect(paused.pause_reason).toMatch(/re-approval needed after rebasing on generation 2: risk rose from low to medium/)
    expect((await p.http('POST', `/optimizations/${paused.id}/resume`, { token: c.token })).status).toBe(200)
    expect((await finished(paused.id, c.token)).status).toBe('completed')
    const d = (await p.http('GET', `/customers/${c.customerId}/infrastructure`, { token: c.token })).body.vllm_deployments[0]
    expect(d.generation).toBe(3)
    expect(d.desired.engine.kvCacheDtype).toBe('fp8')
    expect(d.observed.instances.every((i: { pricing: string }) => i.pricing === 'spot')).toBe(true)
  }, 200_000)
})

