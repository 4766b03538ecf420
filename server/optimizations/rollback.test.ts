import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { waitFor, type TestPlatform } from '../test/platform.ts'
import { configPlanFor, insertRecommendation, registerSeedFleet, spotPlanFor, startWorkflowPlatform } from '../test/optimization-fixtures.ts'
import type { Optimization } from '../../api/optimizations.ts'
import { getOutcome } from '../learning/store.ts'

let p: TestPlatform
beforeAll(async () => { p = await startWorkflowPlatform() }, 60_000)
afterAll(async () => { await p?.stop() })

async function setup(suffix: string) {
  const c = await p.newCustomer()
  const dep = await registerSeedFleet(p.deps.twin!, c.customerId, suffix)
  const { plan, before, after } = await spotPlanFor(p.deps.twin!, c.customerId, dep.id)
  const recId = await insertRecommendation(p.deps.db, p.deps.clock, { customerId: c.customerId, plan, savings: before - after, before })
  return { c, dep, recId }
}

async function finished(id: string, token: string): Promise<Optimization> {
  return waitFor(async () => {
    const r = await p.http<Optimization>('GET', `/optimizations/${id}`, { token })
    return ['completed', 'failed', 'rolled_back'].includes(r.body.status) ? r.body : null
  }, { timeoutMs: 60_000, what: `optimization ${id} to finish` })
}

/** The deployment is back to its original stable group and configuration, with no canary and no leftover instance. */
async function expectRestored(customerId: string, dep: { id: string; stable: { instanceIds: string[]; config: unknown } }) {
  const { deployments, instances } = await p.deps.twin!.listResources(customerId)
  const now = deployments.find((d) => d.id === dep.id)!
  expect(now.canary).toBeNull()
  expect([...now.stable.instanceIds].sort()).toEqual([...dep.stable.instanceIds].sort())
  expect(now.stable.config).toEqual(dep.stable.config)
  const alive = instances.filter((i) => i.state !== 'terminated')
  expect(alive.map((i) => i.id).sort()).toEqual([...dep.stable.instanceIds].sort())
}

describe('automatic rollback', () => {
  it('detects a quality regression injected on the canary and rolls back to the original configuration', async () => {
    const { c, dep, recId } = await setup('q')
    await p.deps.twin!.injectFault({ customer_id: c.customerId, deployment_id: dep.id, target: 'canary', kind: 'quality_degradation', magnitude: 0.15 })
    const { body } = await p.http('POST', `/recommendations/${recId}/approve`, { token: c.token })
    const opt = await finished(body.optimization_id, c.token)
    expect(opt.status).toBe('rolled_back')
    expect(opt.abort_reason).toMatch(/quality regression/)
    const validate = opt.execution_steps.find((s) => s.name === 'validate_canary')!
    expect(validate.status).toBe('failed')
    const q = validate.detail.quality as { verdict: string; drop: number; stable_accuracy: number; canary_accuracy: number }
    expect(q.verdict).toBe('fail')
    expect(q.drop).toBeGreaterThan(0.05)
    expect(opt.execution_steps.slice(3).every((s) => s.status === 'pending')).toBe(true)
    expect(opt.result).toMatchObject({ success: false, rollback_reason: expect.stringMatching(/quality/) })
    expect(opt.rollback).toMatchObject({ verified: true })
    expect((opt.rollback as { duration_ms: number }).duration_ms).toBeLessThan(5 * 60_000)
    await expectRestored(c.customerId, dep)
    const rec = await p.http('GET', `/customers/${c.customerId}/audit?subject_id=${recId}`, { token: c.token })
    expect(rec.body.map((a: { action: string }) => a.action)).toEqual(['recommendation:approved', 'recommendation:executing', 'recommendation:rolled_back'])
    const outcome = (await getOutcome(p.deps.db, opt.id))!
    expect(outcome).toMatchObject({ success: false, status: 'rolled_back', storedInVectorDb: true })
    expect(outcome.qualityDelta!).toBeLessThan(-0.05)
  }, 90_000)

  it('rolls back an injected launch failure with a complete audit trail', async () => {
    const { c, dep, recId } = await setup('l')
    await p.deps.twin!.injectFault({ customer_id: c.customerId, deployment_id: dep.id, target: 'all', kind: 'launch_failure' })
    const { body } = await p.http('POST', `/recommendations/${recId}/approve`, { token: c.token })
    const opt = await finished(body.optimization_id, c.token)
    expect(opt.status).toBe('rolled_back')
    expect(opt.abort_reason).toMatch(/launch_failed/)
    expect(opt.execution_steps[0]).toMatchObject({ name: 'create_spot_instances', status: 'failed' })
    await expectRestored(c.customerId, dep)
    const audit = await p.http('GET', `/customers/${c.customerId}/audit?subject_id=${opt.id}`, { token: c.token })
    expect(audit.body.map((a: { action: string }) => a.action)).toEqual([
      'optimization:created', 'optimization:rollout_aborted', 'optimization:rollback_completed', 'optimization:run_rolled_back',
    ])
    expect(audit.body[1].detail).toMatchObject({ step: 'create_spot_instances', reason: expect.stringMatching(/launch_failed/) })
  }, 90_000)

  it('fails the SLO analysis on a latency spike of the canary and rolls back', async () => {
    const c = await p.newCustomer()
    const dep = await registerSeedFleet(p.deps.twin!, c.customerId, 's')
    const plan = await configPlanFor(p.deps.twin!, c.customerId, dep.id, { maxNumSeqs: 128 })
    const recId = await insertRecommendation(p.deps.db, p.deps.clock, { customerId: c.customerId, type: 'batching_tuning', agentType: 'performance', plan, savings: 0 })
    await p.deps.twin!.injectFault({ customer_id: c.customerId, deployment_id: dep.id, target: 'canary', kind: 'latency_spike', magnitude: 3 })
    const { body } = await p.http('POST', `/recommendations/${recId}/approve`, { token: c.token })
    const opt = await finished(body.optimization_id, c.token)
    expect(opt.execution_steps.map((s) => s.name)[0]).toBe('create_canary_instances')
    expect(opt.status).toBe('rolled_back')
    expect(opt.abort_reason).toMatch(/analysis failed: p9[59]_latency_ms/)
    const slo = opt.execution_steps.find((s) => s.name === 'validate_canary')!.detail.slo as { canary: { p95_ms: number }; stable: { p95_ms: number } }
    expect(slo.canary.p95_ms).toBeGreaterThan(slo.stable.p95_ms * 2)
    await expectRestored(c.customerId, dep)
  }, 90_000)

  it('aborts on request: traffic back to stable at once, canary removed', async () => {
    const { c, dep, recId } = await setup('a')
    const { body } = await p.http('POST', `/recommendations/${recId}/approve`, { token: c.token })
    await waitFor(async () => (await p.http<Optimization>('GET', `/optimizations/${body.optimization_id}`, { token: c.token })).body.current_step === 'validate_canary', { timeoutMs: 30_000 })
    const other = await p.newCustomer('Other Corp')
    expect((await p.http('POST', `/optimizations/${body.optimization_id}/abort`, { token: other.token, body: {} })).status).toBe(403)
    const abort = await p.http('POST', `/optimizations/${body.optimization_id}/abort`, { token: c.token, body: { reason: 'maintenance window closed' } })
    expect(abort.status).toBe(200)
    const opt = await finished(body.optimization_id, c.token)
    expect(opt.status).toBe('rolled_back')
    expect(opt.abort_reason).toMatch(/maintenance window closed/)
    await expectRestored(c.customerId, dep)
    expect((await p.http('POST', `/optimizations/${body.optimization_id}/abort`, { token: c.token, body: {} })).body.code).toBe('OPT_OPTIMIZATION_NOT_ABORTABLE')
  }, 90_000)
})
