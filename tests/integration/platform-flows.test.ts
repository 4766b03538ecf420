import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { startTestPlatform, waitFor, type TestPlatform } from '../../server/test/platform.ts'
import { seedInfrastructure } from '../support/fixtures.ts'
import { waits } from '../support/api.ts'

// tags: integration — portal ↔ API, store, ingestion, discovery, WebSocket delivery, workflow control
let p: TestPlatform
beforeAll(async () => { p = await startTestPlatform() })
afterAll(async () => { await p?.stop() })

async function customerWithFleet() {
  const c = await p.newCustomer('Flow Corp')
  const res = await p.http('POST', `/customers/${c.customerId}/infrastructure`, { token: c.token, body: seedInfrastructure })
  expect(res.status).toBe(201)
  return c
}

async function validatedSpot(c: { customerId: string; token: string }) {
  await p.http('POST', `/customers/${c.customerId}/analyze`, { token: c.token, body: { agent_type: 'cost' } })
  return waits(p, c.token).recommendation(c.customerId, (r) => r.type === 'spot_migration' && r.validation_status === 'validated' && r.status === 'pending')
}

describe('integration: platform flows over HTTP', () => {
  it('test_infrastructure_registration_materializes_fleet @p0', async () => {
    const c = await customerWithFleet()
    const infra = (await p.http('GET', `/customers/${c.customerId}/infrastructure`, { token: c.token })).body
    expect(infra.status).toBe('discovered')
    expect(infra.instances.map((i: any) => i.instance_id).sort()).toEqual(['i-123456', 'i-789012'])
    expect(infra.vllm_deployments[0]).toMatchObject({ deployment_id: 'vllm-prod-1' })
    const bad = await p.http('POST', `/customers/${c.customerId}/infrastructure`, { token: c.token, body: { instances: [{ instance_id: 'x', instance_type: 'p99.mega', region: 'us-east-1', pricing: 'on-demand' }], vllm_deployments: [] } })
    expect(bad.status).toBe(400)
    expect(bad.body.message).toContain('p99.mega')
  })

  it('test_runtime_scrapes_and_ingests_metrics @p0', async () => {
    const c = await customerWithFleet()
    for (const type of ['p95_latency_ms', 'throughput_rps', 'gpu_utilization', 'kv_cache_usage', 'monthly_cost']) {
      const points = await waitFor(async () => {
        const r = await p.http<any[]>('GET', `/customers/${c.customerId}/metrics?metric_type=${type}`, { token: c.token })
        return r.body.length ? r.body : undefined
      }, { what: type })
      expect(points.every((pt: any, i: number) => i === 0 || pt.timestamp >= points[i - 1].timestamp)).toBe(true)
      expect(Number.isFinite(points.at(-1).value)).toBe(true)
    }
    expect((await p.http('GET', `/customers/${c.customerId}/metrics?metric_type=vibes`, { token: c.token })).status).toBe(400)
    expect((await p.http('GET', `/customers/${c.customerId}/metrics?metric_type=p95_latency_ms&start_time=yesterday`, { token: c.token })).status).toBe(400)
  })

  it('test_ingestion_dedup_and_quarantine_accounting @p0', async () => {
    const c = await p.newCustomer()
    const install = (await p.http('GET', `/customers/${c.customerId}/agent-install-command`, { token: c.token })).body
    const series = { metric: 'vllm:num_requests_running', labels: { model_name: 'm' }, deployment_id: 'd1' }
    const now = Date.parse((await p.http('GET', '/health')).body.time) // platform (fleet) time
    const at = (s: number) => new Date(now - 60_000 + s * 1000).toISOString()
    const records = [
      { series, ts: at(0), value: 1 },
      { series, ts: at(0), value: 1 },
      { series, ts: at(15), value: 2 },
      { series, ts: 'not a time', value: 3 },
      { series: { labels: {} }, ts: at(30), value: 4 },
      { series, ts: at(45), value: 'NaN-ish' },
    ]
    const res = await p.http('POST', '/telemetry/ingest', { token: install.agent_token, body: { records } })
    expect(res.status).toBe(200)
    expect(res.body, JSON.stringify(res.body.quarantine_reasons)).toMatchObject({ received: 6, stored: 2, duplicates: 1, quarantined: 3 })
    const again = await p.http('POST', '/telemetry/ingest', { token: install.agent_token, body: { records: records.slice(0, 3) } })
    expect(again.body).toMatchObject({ received: 3, stored: 0, duplicates: 3, quarantined: 0 })
    expect((await p.http('POST', '/telemetry/ingest', { token: c.token, body: { records } })).status).toBe(403)
  })

  it('test_websocket_delivers_tenant_events @p0', async () => {
    const a = await customerWithFleet()
    const b = await p.newCustomer()
    const got: Record<string, any[]> = { a: [], b: [] }
    const sockets = [['a', a], ['b', b]].map(([k, c]: any) => {
      const ws = new WebSocket(`${p.url.replace('http', 'ws')}/ws/customers/${c.customerId}?token=${c.token}`)
      ws.on('message', (d) => got[k]!.push(JSON.parse(String(d))))
      return ws
    })
    await Promise.all(sockets.map((ws) => new Promise((r) => ws.once('open', r))))
    await p.http('POST', `/customers/${a.customerId}/analyze`, { token: a.token, body: { agent_type: 'cost' } })
    await waitFor(async () => got.a!.some((m) => m.type?.startsWith('recommendation:')), { what: 'recommendation event' })
    sockets.forEach((ws) => ws.close())
    expect(got.a!.every((m) => m.customerId === a.customerId)).toBe(true)
    expect(got.b!.filter((m) => m.type !== 'live:connected' && !m.type.startsWith('telemetry:'))).toEqual([])
  })

  it('test_dashboard_api_computed_from_store @p0', async () => {
    const c = await customerWithFleet()
    const rec = await validatedSpot(c)
    const d = (await p.http('GET', `/portal/customers/${c.customerId}/dashboard`, { token: c.token })).body
    const infra = (await p.http('GET', `/customers/${c.customerId}/infrastructure`, { token: c.token })).body
    const fleetMonthly = infra.instances.reduce((s: number, i: any) => s + i.monthly_cost, 0)
    expect(d.current_spend).toBeCloseTo(fleetMonthly, -1)
    const pending = (await p.http<any[]>('GET', `/customers/${c.customerId}/recommendations?status=pending`, { token: c.token })).body
    expect(d.potential_savings).toBeGreaterThanOrEqual(rec.estimated_savings - 0.01)
    expect(d.potential_savings).toBeLessThanOrEqual(pending.reduce((s, r) => s + r.estimated_savings, 0) + 0.01)
    expect(d.realized_savings).toBe(0)
  })

  it('test_recommendation_reject_and_dedupe @p1', async () => {
    const c = await customerWithFleet()
    const rec = await validatedSpot(c)
    await p.http('POST', `/customers/${c.customerId}/analyze`, { token: c.token, body: { agent_type: 'cost' } })
    await waitFor(async () => (await p.http<any[]>('GET', `/customers/${c.customerId}/analyses`, { token: c.token })).body.every((a) => a.status === 'completed'), { what: 'analyses' })
    // re-analysis may refresh the evidence (spot prices move) and re-validate it: include those under validation
    const spots = (await p.http<any[]>('GET', `/customers/${c.customerId}/recommendations?type=spot_migration&status=pending&include_validating=true`, { token: c.token })).body
    expect(spots.map((r) => r.id)).toEqual([rec.id])
    expect((await p.http('POST', `/recommendations/${rec.id}/reject`, { token: c.token, body: { reason: 'not during peak season' } })).status).toBe(200)
    const after = (await p.http('GET', `/recommendations/${rec.id}`, { token: c.token })).body
    expect(after.status).toBe('rejected')
    expect((await p.http('POST', `/recommendations/${rec.id}/approve`, { token: c.token })).status).toBe(409)
  })

  it('test_approval_idempotent @p0', async () => {
    const c = await customerWithFleet()
    const rec = await validatedSpot(c)
    const other = await p.newCustomer()
    expect((await p.http('POST', `/recommendations/${rec.id}/approve`, { token: other.token })).status).toBe(403)
    const results = await Promise.all([1, 2, 3].map(() => p.http('POST', `/recommendations/${rec.id}/approve`, { token: c.token })))
    const ids = new Set(results.map((r) => r.body.optimization_id))
    expect(results.every((r) => r.status === 200 && r.body.status === 'approved')).toBe(true)
    expect(ids.size).toBe(1)
    const list = (await p.http<any[]>('GET', `/customers/${c.customerId}/optimizations`, { token: c.token })).body
    expect(list.filter((o) => o.recommendation_id === rec.id)).toHaveLength(1)
    await waits(p, c.token).optimizationDone([...ids][0]!)
  })

  it('test_optimization_abort_rolls_back_and_audits @p1', async () => {
    const c = await customerWithFleet()
    const rec = await validatedSpot(c)
    const { optimization_id } = (await p.http('POST', `/recommendations/${rec.id}/approve`, { token: c.token })).body
    await waits(p, c.token).optimizationStatus(optimization_id, ['running', 'paused', 'completed'])
    const abort = await p.http('POST', `/optimizations/${optimization_id}/abort`, { token: c.token, body: { reason: 'change freeze' } })
    const done = await waits(p, c.token).optimizationDone(optimization_id)
    if (abort.status === 200) {
      expect(done.status).toBe('rolled_back')
      expect(String(done.result.error)).toContain('change freeze')
    } else {
      expect(abort.status).toBe(409) // already past the point of no return (promoted): finishing is the safe path
      expect(done.status).toBe('completed')
    }
  })

  it('test_audit_trail_records_state_changes @p1', async () => {
    const c = await customerWithFleet()
    const rec = await validatedSpot(c)
    const { optimization_id } = (await p.http('POST', `/recommendations/${rec.id}/approve`, { token: c.token })).body
    await waits(p, c.token).optimizationDone(optimization_id)
    const audit = (await p.http<any[]>('GET', `/customers/${c.customerId}/audit`, { token: c.token })).body
    const actions = new Set(audit.map((e) => e.action))
    expect([...actions].some((a) => /approv/.test(a))).toBe(true)
    expect([...actions].some((a) => /optimization/.test(a))).toBe(true)
    expect(audit.every((e) => e.actor && e.at)).toBe(true)
    const events = (await p.http<any[]>('GET', `/optimizations/${optimization_id}/events`, { token: c.token })).body
    const completedSteps = events.filter((e: any) => /step.*completed|completed/.test(e.reason ?? e.type ?? '')).map((e: any) => e.step)
    expect(new Set(completedSteps).size).toBe(completedSteps.length)
  })
})
