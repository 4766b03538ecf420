import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { waitFor, type TestPlatform } from '../test/platform.ts'
import { insertRecommendation, registerSeedFleet, spotPlanFor, startWorkflowPlatform } from '../test/optimization-fixtures.ts'
import { DEFAULT_BAKE } from '../rollouts/rollout.ts'
import type { Optimization } from '../../api/optimizations.ts'

// hour-long intervals (6 s of wall time each at the tests' ×600 clock): a bake lasts far longer than the test waits
let p: TestPlatform
beforeAll(async () => { p = await startWorkflowPlatform({ bake: { ...DEFAULT_BAKE, intervalMs: 3_600_000 } }) }, 60_000)
afterAll(async () => { await p?.stop() })

const get = async (id: string, token: string) => (await p.http<Optimization>('GET', `/optimizations/${id}`, { token })).body
const atStep = (id: string, token: string, step: string) => waitFor(async () => {
  const o = await get(id, token)
  return o.current_step === step && o.status === 'running' ? o : null
}, { timeoutMs: 60_000, what: `rollout at ${step}` })

describe('manual promote (Argo promote)', () => {
  it('cuts each canary analysis short on request, audited, and the rollout completes; refused elsewhere and to other tenants', async () => {
    const c = await p.newCustomer()
    const dep = await registerSeedFleet(p.deps.twin!, c.customerId, 'pr')
    const { plan, before, after } = await spotPlanFor(p.deps.twin!, c.customerId, dep.id)
    const recId = await insertRecommendation(p.deps.db, p.deps.clock, { customerId: c.customerId, plan, savings: before - after, before })
    const id = (await p.http('POST', `/recommendations/${recId}/approve`, { token: c.token })).body.optimization_id as string

    await atStep(id, c.token, 'validate_canary')
    const other = await p.newCustomer('Other')
    expect((await p.http('POST', `/optimizations/${id}/promote`, { token: other.token })).status).toBe(403)
    const promoted = await p.http<Optimization>('POST', `/optimizations/${id}/promote`, { token: c.token })
    expect(promoted.status, JSON.stringify(promoted.body)).toBe(200)
    const passed = await waitFor(async () => (await get(id, c.token)).execution_steps.find((s) => s.name === 'validate_canary' && s.status === 'completed'), { timeoutMs: 30_000, what: 'validate_canary promoted' })
    expect(passed.detail).toMatchObject({ verdict: 'promoted', promoted_by: expect.stringMatching(/^user:/) })

    // the next analysis is judged again: it bakes until promoted too
    await atStep(id, c.token, 'validate_50_percent')
    expect((await p.http('POST', `/optimizations/${id}/promote`, { token: c.token })).status).toBe(200)
    const done = await waitFor(async () => { const o = await get(id, c.token); return o.status === 'completed' ? o : null }, { timeoutMs: 60_000, what: 'completion' })
    expect(done.execution_steps.find((s) => s.name === 'validate_50_percent')?.detail).toMatchObject({ verdict: 'promoted' })

    const audit = (await p.http<{ action: string; detail: Record<string, unknown> }[]>('GET', `/customers/${c.customerId}/audit?subject_id=${id}`, { token: c.token })).body
    expect(audit.filter((a) => a.action === 'optimization:promoted').map((a) => a.detail.step).sort()).toEqual(['validate_50_percent', 'validate_canary'])
    const late = await p.http('POST', `/optimizations/${id}/promote`, { token: c.token })
    expect(late.status).toBe(409)
    expect(late.body).toMatchObject({ code: 'OPT_STATE_INVALID', requestId: expect.any(String) })
  }, 150_000)
})
