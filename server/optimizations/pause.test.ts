import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { waitFor, type TestPlatform } from '../test/platform.ts'
import { insertRecommendation, registerSeedFleet, spotPlanFor, startWorkflowPlatform } from '../test/optimization-fixtures.ts'
import type { Optimization } from '../../api/optimizations.ts'

let p: TestPlatform
beforeAll(async () => { p = await startWorkflowPlatform() }, 60_000)
afterAll(async () => { await p?.stop() })

async function startRollout(suffix: string) {
  const c = await p.newCustomer()
  const dep = await registerSeedFleet(p.deps.twin!, c.customerId, suffix)
  const { plan, before, after } = await spotPlanFor(p.deps.twin!, c.customerId, dep.id)
  const recId = await insertRecommendation(p.deps.db, p.deps.clock, { customerId: c.customerId, plan, savings: before - after, before })
  const approved = await p.http('POST', `/recommendations/${recId}/approve`, { token: c.token })
  expect(approved.status, JSON.stringify(approved.body)).toBe(200)
  return { c, id: approved.body.optimization_id as string }
}

const get = async (id: string, token: string) => (await p.http<Optimization>('GET', `/optimizations/${id}`, { token })).body

/** Waits until the rollout has put canary traffic on, so a pause has something to hold. */
const untilCanaryServes = (id: string, token: string) => waitFor(async () => {
  const o = await get(id, token)
  return o.execution_steps.some((s) => s.name === 'deploy_canary' && s.status === 'completed') ? o : null
}, { timeoutMs: 60_000, what: 'canary traffic' })

describe('manual pause', () => {
  it('holds a running rollout where it is until resumed, then carries on to the end, audited', async () => {
    const { c, id } = await startRollout('mp')
    await untilCanaryServes(id, c.token)
    const other = await p.newCustomer('Other')
    const foreign = await p.http('POST', `/optimizations/${id}/pause`, { token: other.token })
    expect(foreign.status, JSON.stringify(foreign.body)).toBe(403)
    const req = await p.http('POST', `/optimizations/${id}/pause`, { token: c.token, body: { reason: 'holiday freeze' } })
    expect(req.status, JSON.stringify(req.body)).toBe(200)
    const paused = await waitFor(async () => { const o = await get(id, c.token); return o.status === 'paused' ? o : null }, { timeoutMs: 30_000, what: 'pause' })
    expect(paused.pause_reason).toBe('manual_pause')
    // a second request changes nothing
    expect((await p.http('POST', `/optimizations/${id}/pause`, { token: c.token })).status).toBe(200)
    // the worker polls every 100 ms; a held run neither advances nor rolls back meanwhile
    await new Promise((r) => setTimeout(r, 600))
    const held = await get(id, c.token)
    expect({ status: held.status, step: held.current_step, steps: held.execution_steps.map((s) => s.status) })
      .toEqual({ status: 'paused', step: paused.current_step, steps: paused.execution_steps.map((s) => s.status) })

    expect((await p.http('POST', `/optimizations/${id}/resume`, { token: c.token })).status).toBe(200)
    const done = await waitFor(async () => { const o = await get(id, c.token); return o.status === 'completed' ? o : null }, { timeoutMs: 90_000, what: 'completion' })
    expect(done.result.success).toBe(true)
    // the held step was run, not waved through as an analysis pause's resume would
    expect(done.execution_steps.find((s) => s.name === paused.current_step)?.detail.verdict).not.toBe('inconclusive_accepted')
    const audit = (await p.http<{ action: string; detail: Record<string, unknown> }[]>('GET', `/customers/${c.customerId}/audit?subject_id=${id}`, { token: c.token })).body
    expect(audit.find((a) => a.action === 'optimization:pause_requested')?.detail).toMatchObject({ reason: 'holiday freeze' })
    expect(audit.some((a) => a.action === 'optimization:resumed')).toBe(true)
    const late = await p.http('POST', `/optimizations/${id}/pause`, { token: c.token })
    expect(late.status).toBe(409)
    expect(late.body).toMatchObject({ code: 'OPT_STATE_INVALID', requestId: expect.any(String) })
  }, 150_000)

  it('lets a paused rollout be aborted: traffic returns to stable', async () => {
    const { c, id } = await startRollout('ma')
    await untilCanaryServes(id, c.token)
    expect((await p.http('POST', `/optimizations/${id}/pause`, { token: c.token })).status).toBe(200)
    await waitFor(async () => (await get(id, c.token)).status === 'paused', { timeoutMs: 30_000, what: 'pause' })
    expect((await p.http('POST', `/optimizations/${id}/abort`, { token: c.token, body: { reason: 'changed our mind' } })).status).toBe(200)
    const end = await waitFor(async () => { const o = await get(id, c.token); return o.status === 'rolled_back' ? o : null }, { timeoutMs: 60_000, what: 'rollback' })
    expect(end.abort_reason).toMatch(/changed our mind/)
  }, 150_000)
})
