import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { findInstanceType, HOURS_PER_MONTH, loadCatalog } from '../cloud/catalog/catalog.ts'
import type { LiveEvent } from '../http/live.ts'
import { startTestPlatform, waitFor, type TestPlatform } from '../test/platform.ts'

// The seeds' test_infrastructure fixture, registered over HTTP; the platform's in-process agents
// analyse it and cross-validate their recommendations (seed 001 scenario 1, phases 2–4).
const FIXTURE = {
  instances: [
    { instance_id: 'i-123456', instance_type: 'p4d.24xlarge', region: 'us-east-1', pricing: 'on-demand', monthly_cost: 30000, gpu_type: 'A100', gpu_count: 8, utilization: 0.78 },
    { instance_id: 'i-789012', instance_type: 'p4d.24xlarge', region: 'us-east-1', pricing: 'on-demand', monthly_cost: 30000, gpu_type: 'A100', gpu_count: 8, utilization: 0.72 },
  ],
  vllm_deployments: [{ deployment_id: 'vllm-prod-1', model: 'meta-llama/Llama-3-70B', instance_ids: ['i-123456', 'i-789012'], avg_latency_p95: 1600, requests_per_second: 45 }],
}

let p: TestPlatform
let c: { customerId: string; token: string }
let spot: Record<string, any>
const events: LiveEvent[] = []
beforeAll(async () => {
  p = await startTestPlatform()
  c = await p.newCustomer()
  p.deps.live.subscribe(c.customerId, (e) => events.push(e))
  expect((await p.http('POST', `/customers/${c.customerId}/infrastructure`, { token: c.token, body: FIXTURE })).status).toBe(201)
  spot = await waitFor(async () => {
    const r = await p.http('GET', `/customers/${c.customerId}/recommendations?type=spot_migration`, { token: c.token })
    return r.body.find((x: { status: string }) => x.status === 'pending')
  }, { timeoutMs: 60_000, what: 'spot recommendation' })
}, 120_000)
afterAll(async () => { await p?.stop() })

describe('recommendations from the in-process agents', () => {
  it('offers the spot migration only once validated, with the seed\'s shape and savings from the catalog and price list', async () => {
    expect(spot).toMatchObject({ agent_type: 'cost', customer_id: c.customerId, deployment_id: 'vllm-prod-1', validation_status: 'validated' })
    expect(['low', 'medium']).toContain(spot.risk_level)
    expect(spot.estimated_savings).toBeGreaterThan(10_000)
    const od = findInstanceType(loadCatalog(), 'aws', 'p4d.24xlarge')!.onDemandHourlyUsd
    expect(spot.predicted.monthlyCostUsdBefore).toBeCloseTo(2 * od * HOURS_PER_MONTH, 1)
    const prices = spot.evidence.after as { hourly_usd: number; count: number; price_source: string }[]
    expect(prices.every((x) => x.price_source === 'current spot price')).toBe(true)
    expect(spot.estimated_savings).toBeCloseTo(2 * od * HOURS_PER_MONTH - prices.reduce((s, x) => s + x.hourly_usd * x.count, 0) * HOURS_PER_MONTH, 1)
  })

  it('carries the other agents\' verdicts: performance approves, application establishes the baseline', async () => {
    const by = (t: string) => spot.validations.find((v: { agent_type: string }) => v.agent_type === t)
    expect(spot.validators.sort()).toEqual(['application', 'performance', 'resource'])
    expect(by('performance')).toMatchObject({ approved: true })
    expect(by('performance').reason).toContain('not latency-critical')
    expect(by('resource')).toMatchObject({ approved: true })
    expect(by('application')).toMatchObject({ approved: true, baseline_established: true })
    const scores = await p.deps.db.query<{ n: number; score: number }>('SELECT n, score FROM quality_scores WHERE customer_id = $1 AND deployment_id = $2', [c.customerId, 'vllm-prod-1'])
    expect(scores.some((s) => s.n === by('application').data.baseline.answered)).toBe(true)
    expect(events.some((e) => e.type === 'recommendation:validation:recorded' && e.id === spot.id)).toBe(true)
  })

  it('analysed automatically with all four agents, which then heartbeat for this customer', async () => {
    const analyses = (await p.http('GET', `/customers/${c.customerId}/analyses`, { token: c.token })).body
    const auto = analyses.find((a: { trigger: string }) => a.trigger === 'discovery')
    expect(auto.agent_types.sort()).toEqual(['application', 'cost', 'performance', 'resource'])
    await waitFor(async () => (await p.http('GET', `/analyses/${auto.id}`, { token: c.token })).body.status === 'completed', { timeoutMs: 30_000 })
    await waitFor(async () => {
      const rows = await p.deps.db.query<{ agent_type: string }>('SELECT DISTINCT agent_type FROM agent_heartbeats WHERE customer_id = $1', [c.customerId])
      return rows.length === 4
    }, { timeoutMs: 30_000, what: 'heartbeats from all four agent types' })
  })

  it('refreshes the pending recommendation on re-analysis instead of adding another', async () => {
    const before = (await p.http('GET', `/customers/${c.customerId}/recommendations?include_validating=true`, { token: c.token })).body.length
    const started = await p.http('POST', `/customers/${c.customerId}/analyze`, { token: c.token, body: { agent_type: 'cost' } })
    expect(started.body.status).toBe('started')
    await waitFor(async () => (await p.http('GET', `/analyses/${started.body.analysis_id}`, { token: c.token })).body.status === 'completed', { timeoutMs: 30_000 })
    const after = (await p.http('GET', `/customers/${c.customerId}/recommendations?include_validating=true`, { token: c.token })).body
    expect(after.length).toBe(before)
    const again = after.find((r: { type: string; status: string }) => r.type === 'spot_migration' && r.status === 'pending')
    expect(again.id).toBe(spot.id)
    expect(new Date(again.updated_at).getTime()).toBeGreaterThan(new Date(spot.updated_at).getTime())
    expect((await p.http('GET', `/analyses/${started.body.analysis_id}`, { token: c.token })).body.recommendation_ids).toContain(spot.id)
  })

  it('filters by status, type and agent type, newest first', async () => {
    const list = async (q: string) => (await p.http('GET', `/customers/${c.customerId}/recommendations${q}`, { token: c.token })).body as { type: string; agent_type: string; status: string; created_at: string }[]
    expect((await list('?agent_type=cost')).every((r) => r.agent_type === 'cost')).toBe(true)
    expect((await list('?type=consolidation')).every((r) => r.type === 'consolidation')).toBe(true)
    expect(await list('?status=completed')).toEqual([])
    const all = await list('?include_validating=true')
    expect(all.map((r) => r.created_at)).toEqual([...all.map((r) => r.created_at)].sort().reverse())
    expect((await p.http('GET', `/customers/${c.customerId}/recommendations?status=bogus`, { token: c.token })).status).toBe(400)
  })

  it('keeps tenants apart and answers malformed ids with 400, unknown ones with 404', async () => {
    const other = await p.newCustomer()
    expect((await p.http('GET', `/customers/${c.customerId}/recommendations`, { token: other.token })).status).toBe(403)
    expect((await p.http('GET', `/recommendations/${spot.id}`, { token: other.token })).status).toBe(403)
    expect((await p.http('POST', `/recommendations/${spot.id}/reject`, { token: other.token, body: { reason: 'no' } })).status).toBe(403)
    expect((await p.http('GET', '/customers/not-a-uuid/recommendations', { token: c.token })).status).toBe(400)
    expect((await p.http('GET', '/recommendations/not-a-uuid', { token: c.token })).status).toBe(400)
    expect((await p.http('GET', '/recommendations/00000000-0000-4000-8000-000000000000', { token: c.token })).status).toBe(404)
    expect((await p.http('GET', `/recommendations/${spot.id}`)).status).toBe(401)
    expect((await p.http('GET', `/recommendations/${spot.id}`, { token: c.token })).body.id).toBe(spot.id)
  })

  it('rejects a pending recommendation once, with the reason and an audit entry', async () => {
    const target = (await p.http('GET', `/customers/${c.customerId}/recommendations?include_validating=true&status=pending`, { token: c.token })).body.find((r: { id: string }) => r.id !== spot.id) ?? spot
    expect((await p.http('POST', `/recommendations/${target.id}/reject`, { token: c.token, body: {} })).status).toBe(400)
    const r = await p.http('POST', `/recommendations/${target.id}/reject`, { token: c.token, body: { reason: 'we keep this on-demand' } })
    expect(r.status).toBe(200)
    expect(r.body).toMatchObject({ status: 'rejected', reject_reason: 'we keep this on-demand' })
    expect((await p.http('POST', `/recommendations/${target.id}/reject`, { token: c.token, body: { reason: 'again' } })).body.code).toBe('OPT_STATE_INVALID')
    const audit = (await p.http('GET', `/customers/${c.customerId}/audit`, { token: c.token })).body
    expect(JSON.stringify(audit)).toContain('recommendation:rejected')
  })
})
