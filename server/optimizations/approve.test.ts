import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestPlatform, waitFor, type TestPlatform } from '../test/platform.ts'
import { insertRecommendation, registerSeedFleet, spotPlanFor } from '../test/optimization-fixtures.ts'
import { workflowService } from '../workflows/service.ts'
import type { Optimization } from '../../api/optimizations.ts'

let p: TestPlatform
let worker: ReturnType<typeof workflowService>
// Workers off: this file runs its own worker with a bake too short to conclude (to exercise pause/resume).
beforeAll(async () => {
  p = await startTestPlatform({ workers: false })
  worker = workflowService(p.deps, { bake: { intervalMs: 60_000, maxExtensions: 1, promptsPerInterval: 3, limits: { failureLimit: 1, inconclusiveLimit: 2, consecutiveErrorLimit: 4, count: 2 } }, pollMs: 50, concurrency: 1 })
}, 60_000)
afterAll(async () => { await worker?.stop(); await p?.stop() })

async function setup(suffix: string, over: Parameters<typeof insertRecommendation>[2] extends infer F ? Partial<F> : never = {}) {
  const c = await p.newCustomer()
  const dep = await registerSeedFleet(p.deps.twin!, c.customerId, suffix)
  const { plan, before, after } = await spotPlanFor(p.deps.twin!, c.customerId, dep.id)
  const recId = await insertRecommendation(p.deps.db, p.deps.clock, { customerId: c.customerId, plan, savings: before - after, before, ...over })
  return { c, dep, recId, predicted: before - after }
}

describe('approval', () => {
  it('refuses other tenants, anonymous callers, malformed and unknown ids', async () => {
    const { recId } = await setup('t')
    const other = await p.newCustomer('Other')
    expect((await p.http('POST', `/recommendations/${recId}/approve`, { token: other.token })).status).toBe(403)
    expect((await p.http('POST', `/recommendations/${recId}/approve`)).status).toBe(401)
    expect((await p.http('POST', `/recommendations/${encodeURIComponent("1' OR '1'='1")}/approve`, { token: other.token })).status).toBe(400)
    expect((await p.http('POST', '/recommendations/00000000-0000-4000-8000-000000000000/approve', { token: other.token })).status).toBe(404)
  })

  it('refuses a recommendation another agent rejected, or one still being validated', async () => {
    const { c, recId } = await setup('r', { validations: [{ agent_type: 'performance', approved: false, reason: 'p99 would exceed SLO' }] })
    const r = await p.http('POST', `/recommendations/${recId}/approve`, { token: c.token })
    expect(r.status).toBe(409)
    expect(r.body).toMatchObject({ code: 'OPT_RECOMMENDATION_NOT_VALIDATED', message: expect.stringMatching(/performance \(p99 would exceed SLO\)/) })
    const waiting = await setup('w', { validations: [] })
    await p.deps.db.query(`UPDATE recommendations SET validators = '["performance","application"]' WHERE id = $1`, [waiting.recId])
    const w = await p.http('POST', `/recommendations/${waiting.recId}/approve`, { token: waiting.c.token })
    expect(w.body).toMatchObject({ code: 'OPT_RECOMMENDATION_NOT_VALIDATED', message: expect.stringMatching(/waiting for performance, application/) })
    expect((await p.deps.db.query('SELECT 1 FROM workflow_runs WHERE subject_id = $1', [recId])).length).toBe(0)
  })

  it('answers with the customer constraint a plan breaks, even when a validator already rejected it for that constraint', async () => {
    const { c, dep, recId } = await setup('k', { validations: [{ agent_type: 'performance', approved: false, reason: 'customer constraint: never spot' }] })
    const patch = await p.http('PATCH', `/customers/${c.customerId}`, { token: c.token, body: { preferences: { deployment_constraints: { [dep.id]: { never_spot: true } } } } })
    expect(patch.status).toBe(200)
    const r = await p.http('POST', `/recommendations/${recId}/approve`, { token: c.token })
    expect(r.status).toBe(409)
    expect(r.body).toMatchObject({ code: 'OPT_CONSTRAINT_VIOLATED', message: expect.stringMatching(/never wants spot/) })
    expect((await p.deps.db.query('SELECT 1 FROM workflow_runs WHERE subject_id = $1', [recId])).length).toBe(0)
  })

  it('creates exactly one optimization when approvals race', async () => {
    const { c, recId } = await setup('x')
    const answers = await Promise.all(Array.from({ length: 6 }, () => p.http('POST', `/recommendations/${recId}/approve`, { token: c.token })))
    expect(answers.map((a) => a.status)).toEqual(Array(6).fill(200))
    expect(new Set(answers.map((a) => a.body.optimization_id)).size).toBe(1)
    expect((await p.deps.db.query('SELECT id FROM workflow_runs WHERE subject_id = $1', [recId])).length).toBe(1)
    const audit = await p.deps.db.query("SELECT 1 FROM audit_log WHERE subject_id = $1 AND action = 'recommendation:approved'", [recId])
    expect(audit.length).toBe(1)
    const rejected = await p.http('POST', `/recommendations/${recId}/approve`, { token: c.token })
    expect(rejected.body.optimization_id).toBe(answers[0]!.body.optimization_id)
  })

  it('re-checks stale evidence against current prices before approving', async () => {
    const stale = new Date(p.deps.clock.now().getTime() - 6 * 3_600_000)
    const { c, recId } = await setup('s', { evidenceAt: stale })
    const r = await p.http('POST', `/recommendations/${recId}/approve`, { token: c.token })
    expect(r.body).toMatchObject({ status: 'approved', rechecked: true })
    const [row] = await p.deps.db.query<{ evidence: { recheck: { savings_usd: number; current_monthly_usd: number } }; evidence_at: Date }>('SELECT evidence, evidence_at FROM recommendations WHERE id = $1', [recId])
    expect(row!.evidence.recheck.current_monthly_usd).toBeGreaterThan(row!.evidence.recheck.savings_usd)
    expect(new Date(row!.evidence_at).getTime()).toBeGreaterThan(stale.getTime())
    // a plan that no longer saves money is refused
    const { c: c2, recId: bad } = await setup('b', { evidenceAt: stale })
    await p.deps.db.query(`UPDATE recommendations SET plan = jsonb_set(plan, '{pools,0,pricing}', '"on-demand"') WHERE id = $1`, [bad])
    const refused = await p.http('POST', `/recommendations/${bad}/approve`, { token: c2.token })
    expect(refused.body.code).toBe('OPT_RECOMMENDATION_STALE')
  })
})

describe('approval of a change proposed at an extra cost', () => {
  it('re-checks a stale scale-out against the extra cost it was proposed at, not against saving money', async () => {
    const stale = new Date(p.deps.clock.now().getTime() - 6 * 3_600_000)
    const c = await p.newCustomer()
    const dep = await registerSeedFleet(p.deps.twin!, c.customerId, 'up')
    const { instances } = await p.deps.twin!.listResources(c.customerId)
    const first = instances.find((i) => dep.stable.instanceIds.includes(i.id))!
    const count = dep.stable.instanceIds.length
    const plan = { deploymentId: dep.id, pools: [{ cloud: first.cloud, region: first.region, instanceType: first.instanceType, pricing: first.pricing, count: count * 2 }], config: dep.stable.config, summary: `scale out ${count} → ${count * 2}` }
    const extra = -first.hourlyUsd * count * 730
    const fair = await insertRecommendation(p.deps.db, p.deps.clock, { customerId: c.customerId, type: 'autoscaling', agentType: 'resource', plan, savings: extra, before: -extra, evidenceAt: stale })
    const ok = await p.http('POST', `/recommendations/${fair}/approve`, { token: c.token })
    expect(ok.status, JSON.stringify(ok.body)).toBe(200)
    expect(ok.body).toMatchObject({ status: 'approved', rechecked: true })
    const c2 = await p.newCustomer()
    const dep2 = await registerSeedFleet(p.deps.twin!, c2.customerId, 'up2')
    const cheap = await insertRecommendation(p.deps.db, p.deps.clock, { customerId: c2.customerId, type: 'autoscaling', agentType: 'resource', plan: { ...plan, deploymentId: dep2.id }, savings: -1, before: 1, evidenceAt: stale })
    const refused = await p.http('POST', `/recommendations/${cheap}/approve`, { token: c2.token })
    expect(refused.body).toMatchObject({ code: 'OPT_RECOMMENDATION_STALE', message: expect.stringMatching(/more than the 1\.00 proposed/) })
  })
})

describe('inconclusive analysis', () => {
  it('extends the bake, pauses for a human, and resumes on request', async () => {
    await worker.start()
    const { c, recId } = await setup('p')
    const { body } = await p.http('POST', `/recommendations/${recId}/approve`, { token: c.token })
    const id = body.optimization_id as string
    const paused = await waitFor(async () => {
      const r = await p.http<Optimization>('GET', `/optimizations/${id}`, { token: c.token })
      return r.body.status === 'paused' ? r.body : null
    }, { timeoutMs: 30_000 })
    expect(paused).toMatchObject({ pause_reason: 'inconclusive_analysis', current_step: 'validate_canary' })
    const detail = paused.execution_steps[2]!.detail
    expect(detail).toMatchObject({ verdict: 'inconclusive', window: 1 })
    expect((detail.quality as { verdict: string; n: number }).verdict).toBe('inconclusive')
    const events = await p.http('GET', `/optimizations/${id}/events`, { token: c.token })
    expect(events.body.some((e: { message: string }) => /bake extended/.test(e.message))).toBe(true)
    expect((await p.http('POST', `/optimizations/${id}/resume`, { token: c.token })).status).toBe(200)
    expect((await p.http('POST', `/optimizations/${id}/resume`, { token: c.token })).status).toBe(409)
    const again = await waitFor(async () => {
      const r = await p.http<Optimization>('GET', `/optimizations/${id}`, { token: c.token })
      return r.body.status === 'paused' && r.body.current_step === 'validate_50_percent' ? r.body : null
    }, { timeoutMs: 30_000 })
    expect(again.execution_steps[2]).toMatchObject({ status: 'completed', detail: { verdict: 'inconclusive_accepted' } })
    await p.http('POST', `/optimizations/${id}/resume`, { token: c.token })
    const done = await waitFor(async () => {
      const r = await p.http<Optimization>('GET', `/optimizations/${id}`, { token: c.token })
      return r.body.status === 'completed' ? r.body : null
    }, { timeoutMs: 30_000 })
    expect(done.result.success).toBe(true)
    const audit = await p.http('GET', `/customers/${c.customerId}/audit?subject_id=${id}`, { token: c.token })
    expect(audit.body.filter((a: { action: string }) => a.action === 'optimization:resumed').length).toBe(2)
  }, 90_000)
})
