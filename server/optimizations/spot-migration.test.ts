import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { waitFor, type TestPlatform } from '../test/platform.ts'
import { insertRecommendation, registerSeedFleet, spotPlanFor, startWorkflowPlatform } from '../test/optimization-fixtures.ts'
import type { Optimization } from '../../api/optimizations.ts'
import type { Dashboard } from '../../api/dashboard.ts'
import { getOutcome } from '../learning/store.ts'

let p: TestPlatform
beforeAll(async () => { p = await startWorkflowPlatform() }, 60_000)
afterAll(async () => { await p?.stop() })

const SPOT_STEPS = ['create_spot_instances', 'deploy_canary', 'validate_canary', 'scale_to_50_percent', 'validate_50_percent', 'full_migration', 'terminate_ondemand']

function listen(customerId: string, token: string): Promise<{ events: { type: string; data?: Record<string, unknown> }[]; close(): void }> {
  const ws = new WebSocket(`${p.url.replace('http', 'ws')}/ws/customers/${customerId}?token=${token}`)
  const events: { type: string; data?: Record<string, unknown> }[] = []
  ws.on('message', (m) => events.push(JSON.parse(String(m))))
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ events, close: () => ws.close() }))
    ws.once('error', reject)
  })
}

describe('spot migration, end to end over HTTP (seed 001 scenario 1)', () => {
  it('approves, runs the seven named steps with canary analysis, and measures savings from the bill', async () => {
    const c = await p.newCustomer()
    const dep = await registerSeedFleet(p.deps.twin!, c.customerId)
    const { plan, before, after } = await spotPlanFor(p.deps.twin!, c.customerId, dep.id)
    const predicted = before - after
    const recId = await insertRecommendation(p.deps.db, p.deps.clock, { customerId: c.customerId, plan, savings: predicted, before })
    const costBefore = await p.deps.twin!.monthlyRunRateUsd(c.customerId)
    const dashBefore = (await p.http<Dashboard>('GET', `/portal/customers/${c.customerId}/dashboard`, { token: c.token })).body
    expect(dashBefore.potential_savings).toBeCloseTo(predicted, 2)
    expect(dashBefore.current_spend).toBeCloseTo(costBefore, 0)
    const live = await listen(c.customerId, c.token)

    const approve = await p.http('POST', `/recommendations/${recId}/approve`, { token: c.token })
    expect(approve.status).toBe(200)
    expect(approve.body).toMatchObject({ status: 'approved', optimization_id: expect.any(String) })
    const id = approve.body.optimization_id as string
    const opt = await waitFor(async () => {
      const r = await p.http<Optimization>('GET', `/optimizations/${id}`, { token: c.token })
      return ['completed', 'failed', 'rolled_back'].includes(r.body.status) ? r.body : null
    }, { timeoutMs: 60_000, what: 'optimization to finish' })

    expect(opt.status).toBe('completed')
    expect(opt.result).toMatchObject({ success: true, error: null })
    expect(opt.execution_steps.map((s) => s.name)).toEqual(SPOT_STEPS)
    expect(opt.execution_steps.every((s) => s.status === 'completed' && s.started_at && s.completed_at)).toBe(true)
    const [, deploy, v10, scale, v50, full] = opt.execution_steps
    expect(deploy!.detail.canary_weight).toBe(10)
    expect(scale!.detail.canary_weight).toBe(50)
    expect(full!.detail.canary_weight).toBe(100)
    for (const v of [v10!, v50!]) {
      expect(v.detail.verdict).toBe('successful')
      const slo = v.detail.slo as { stable: { p95_ms: number }; canary: { p95_ms: number; requests: number }; limits: { p95_ms: number } }
      expect(slo.canary.requests).toBeGreaterThan(0)
      expect(slo.canary.p95_ms).toBeGreaterThan(0)
      expect((v.detail.quality as { verdict: string }).verdict).toBe('pass')
    }
    // canary traffic share follows the weight: 10% then 50% of the stable+canary requests
    const share = (v: typeof v10) => { const s = v!.detail.slo as { stable: { requests: number }; canary: { requests: number } }; return s.canary.requests / (s.canary.requests + s.stable.requests) }
    expect(share(v10)).toBeCloseTo(0.1, 1)
    expect(share(v50)).toBeCloseTo(0.5, 1)

    // realized savings from the bill: cost down ≥ 40%, actual within ±20% of predicted
    const costAfter = await p.deps.twin!.monthlyRunRateUsd(c.customerId)
    expect((costBefore - costAfter) / costBefore).toBeGreaterThan(0.4)
    const actual = opt.result.actual_savings!
    expect(Math.abs(actual - predicted) / predicted).toBeLessThan(0.2)
    expect(Math.abs(actual - (costBefore - costAfter)) / (costBefore - costAfter)).toBeLessThan(0.05)
    const q = opt.result.quality as { stable_accuracy: number; canary_accuracy: number }
    expect(q.canary_accuracy / q.stable_accuracy).toBeGreaterThanOrEqual(0.95)

    // the old on-demand instances are gone, the spot ones serve
    const { instances, deployments } = await p.deps.twin!.listResources(c.customerId)
    const d = deployments.find((x) => x.id === dep.id)!
    expect(instances.filter((i) => d.stable.instanceIds.includes(i.id)).map((i) => i.pricing)).toEqual(['spot', 'spot'])
    expect(instances.filter((i) => i.state !== 'terminated').length).toBe(2)

    // learning loop, audit, recommendation status, dashboard, live events
    expect(await getOutcome(p.deps.db, id)).toMatchObject({ success: true, storedInVectorDb: true, features: expect.any(Array) })
    const audit = await p.http('GET', `/customers/${c.customerId}/audit?subject_id=${id}`, { token: c.token })
    const stepAudits = audit.body.filter((a: { action: string }) => a.action === 'optimization:step_completed').map((a: { detail: { step: string } }) => a.detail.step)
    expect(stepAudits).toEqual(SPOT_STEPS)
    expect((await p.http('GET', `/recommendations/${recId}/approve`, { token: c.token })).status).toBe(404)
    const [rec] = await p.deps.db.query<{ status: string }>('SELECT status FROM recommendations WHERE id = $1', [recId])
    expect(rec!.status).toBe('completed')
    const dash = (await p.http<Dashboard>('GET', `/portal/customers/${c.customerId}/dashboard`, { token: c.token })).body
    expect(dash.realized_savings).toBeCloseTo(actual, 2)
    expect(dash.potential_savings).toBe(0)
    expect(dash.current_spend).toBeLessThan(costBefore * 0.6)
    expect(dash.optimizations[0]).toMatchObject({ id, status: 'completed', actual_savings: actual })
    await waitFor(async () => live.events.some((e) => e.type === 'optimization:status:changed' && e.data?.status === 'completed'), { timeoutMs: 5_000 })
    live.close()
    const types = new Set(live.events.map((e) => e.type))
    for (const t of ['recommendation:status:changed', 'optimization:step:started', 'optimization:step:completed', 'optimization:status:changed']) expect(types).toContain(t)
    expect(live.events.filter((e) => e.type === 'optimization:step:completed').map((e) => e.data?.step)).toEqual(SPOT_STEPS)
    console.log(`spot migration: predicted ${predicted.toFixed(0)} USD/month, actual ${actual.toFixed(0)} (error ${(opt.result.prediction_error! * 100).toFixed(2)}%), cost ${costBefore.toFixed(0)} → ${costAfter.toFixed(0)}`)
  }, 90_000)
})
