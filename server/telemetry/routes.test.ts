import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestPlatform, type TestPlatform } from '../test/platform.ts'
import { testDbKind } from '../test/db.ts'
import { createRuntimeToken } from '../runtime/token.ts'
import { recordQualityScore } from './store.ts'
import { readDeploymentSignals } from './signals.ts'
import { SMALL_FLEET } from '../cloud/simulator/testing.ts'

let p: TestPlatform
let customer: { customerId: string; token: string }
let runtimeToken: string
let now: number
let t0: number

beforeAll(async () => {
  p = await startTestPlatform({ workers: false })
  customer = await p.newCustomer('Metrics Co')
  runtimeToken = (await createRuntimeToken(p.deps.db, customer.customerId, 'test')).token
  now = p.deps.clock.now().getTime()
  // the fixture's three scrapes sit inside one 10-minute bucket (buckets align to the epoch)
  t0 = Math.floor(now / 600_000) * 600_000 - 600_000 + 1000
}, 60_000)
afterAll(async () => { await p?.stop() })

const derived = (deployment: string, group: string, type: string, tsMs: number, value: number) =>
  ({ series: { metric: `deployment:${type}`, labels: {}, deployment_id: deployment, group }, ts: tsMs, value })

// Fixture: two deployments scraped at three instants 30 s apart, in the previous 10-minute bucket.
//   dep-a stable: p95 400/500/600 ms, 10 rps, error 1%   dep-b stable: p95 900/900/900 ms, 30 rps, error 0%
function fleetRecords(t0: number) {
  const out = []
  for (let i = 0; i < 3; i++) {
    const ts = t0 + i * 30_000
    out.push(derived('dep-a', 'stable', 'e2e_p95_ms', ts, 400 + i * 100), derived('dep-b', 'stable', 'e2e_p95_ms', ts, 900))
    out.push(derived('dep-a', 'stable', 'throughput_rps', ts, 10), derived('dep-b', 'stable', 'throughput_rps', ts, 30))
    out.push(derived('dep-a', 'stable', 'error_rate', ts, 0.01), derived('dep-b', 'stable', 'error_rate', ts, 0))
    out.push(derived('dep-a', 'stable', 'kv_cache_usage', ts, 0.2), derived('dep-b', 'stable', 'kv_cache_usage', ts, 0.6))
  }
  return out
}

describe(`telemetry ingestion and metrics over HTTP (${testDbKind})`, () => {
  it('ingests with a runtime token and answers with the batch accounting', async () => {
    const records = [...fleetRecords(t0), { series: { metric: 'x' }, ts: 'not-a-time', value: 1 }, fleetRecords(t0)[0]]
    const res = await p.http('POST', '/telemetry/ingest', { token: runtimeToken, body: { records } })
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ received: 26, stored: 24, duplicates: 1, quarantined: 1, quarantine_reasons: { ts_invalid: 1 } })
    const batches = await p.http('GET', `/customers/${customer.customerId}/telemetry/batches`, { token: customer.token })
    expect(batches.body.totals).toMatchObject({ batches: 1, received: 26, stored: 24, duplicates: 1, quarantined: 1 })
  })

  it('refuses ingestion without a runtime token', async () => {
    expect((await p.http('POST', '/telemetry/ingest', { body: { records: [] } })).status).toBe(401)
    const asUser = await p.http('POST', '/telemetry/ingest', { token: customer.token, body: { records: [] } })
    expect(asUser.status).toBe(403)
    expect((await p.http('POST', '/telemetry/ingest', { token: 'oir_forged', body: { records: [] } })).status).toBe(401)
    expect((await p.http('POST', '/telemetry/ingest', { token: runtimeToken, body: { records: 'nope' } })).status).toBe(400)
  })

  it('aggregates the fleet per bucket: worst latency, summed throughput, traffic-weighted errors', async () => {
    const q = (type: string, extra = '') => p.http('GET', `/customers/${customer.customerId}/metrics?metric_type=${type}&start_time=${(t0 - 1000) / 1000}&end_time=${now / 1000}&step=10m${extra}`, { token: customer.token })
    const p95 = await q('p95_latency_ms')
    expect(p95.status).toBe(200)
    expect(p95.body).toHaveLength(1)
    expect(p95.body[0].value).toBeCloseTo(900) // max(dep-a avg 500, dep-b 900)
    expect((await q('throughput_rps')).body[0].value).toBeCloseTo(40)
    expect((await q('error_rate')).body[0].value).toBeCloseTo((0.01 * 10) / 40)
    expect((await q('kv_cache_usage')).body[0].value).toBeCloseTo(0.4)
    expect((await q('p95_latency_ms', '&deployment_id=dep-a')).body[0].value).toBeCloseTo(500)
  })

  it('separates the canary from the stable group when asked, and refuses a group on metrics that have none', async () => {
    const ts = t0 + 5_000
    const res = await p.http('POST', '/telemetry/ingest', { token: runtimeToken, body: { records: [derived('dep-c', 'stable', 'e2e_p95_ms', ts, 300), derived('dep-c', 'canary', 'e2e_p95_ms', ts, 450)] } })
    expect(res.body).toMatchObject({ stored: 2 })
    const q = (group: string) => p.http<{ value: number }[]>('GET', `/customers/${customer.customerId}/metrics?metric_type=e2e_p95_ms&deployment_id=dep-c&step=10m${group}`, { token: customer.token })
    expect((await q('&group=stable')).body.map((x) => x.value)).toEqual([300])
    expect((await q('&group=canary')).body.map((x) => x.value)).toEqual([450])
    expect((await q('')).body.map((x) => x.value)).toEqual([450])
    const bad = await p.http('GET', `/customers/${customer.customerId}/metrics?metric_type=monthly_cost&group=canary`, { token: customer.token })
    expect(bad.body).toMatchObject({ code: 'OPT_VALIDATION_FAILED' })
  })

  it('returns chronological points within the default last 24 h, ≤ 500 of them', async () => {
    const res = await p.http('GET', `/customers/${customer.customerId}/metrics?metric_type=p95_latency_ms&step=1s`, { token: customer.token })
    expect(res.status).toBe(200)
    expect(res.body.length).toBeGreaterThan(0)
    expect(res.body.length).toBeLessThanOrEqual(500)
    const times = res.body.map((pt: { timestamp: string }) => Date.parse(pt.timestamp))
    expect([...times].sort((a, b) => a - b)).toEqual(times)
  })

  it('serves quality points with a score, weighted by prompts', async () => {
    const at = new Date(now - 60_000)
    await recordQualityScore(p.deps.db, { customerId: customer.customerId, deploymentId: 'dep-a', at, score: 0.9, n: 100 })
    await recordQualityScore(p.deps.db, { customerId: customer.customerId, deploymentId: 'dep-b', at, score: 0.6, n: 50 })
    const res = await p.http('GET', `/customers/${customer.customerId}/metrics?metric_type=quality_score&step=1h`, { token: customer.token })
    expect(res.body).toHaveLength(1)
    expect(res.body[0].value).toBeCloseTo(0.8)
    expect(res.body[0].score).toBeCloseTo(0.8)
    expect(res.body[0].n).toBe(150)
  })

  it('rejects unknown types, bad times and reversed windows with 400 OPT_VALIDATION_FAILED', async () => {
    const base = `/customers/${customer.customerId}/metrics`
    for (const qs of ['metric_type=cpu_temperature', 'metric_type=p95_latency_ms&start_time=yesterday',
      'metric_type=p95_latency_ms&start_time=2026-01-02T00:00:00Z&end_time=2026-01-01T00:00:00Z', 'metric_type=p95_latency_ms&step=-5', '']) {
      const res = await p.http('GET', `${base}?${qs}`, { token: customer.token })
      expect(res.status, qs).toBe(400)
      expect(res.body.code, qs).toBe('OPT_VALIDATION_FAILED')
    }
    expect((await p.http('GET', '/customers/not-a-uuid/metrics?metric_type=error_rate', { token: customer.token })).status).toBe(400)
  })

  it('keeps tenants apart: another customer gets 403, no token 401', async () => {
    const other = await p.newCustomer('Other Co')
    const res = await p.http('GET', `/customers/${customer.customerId}/metrics?metric_type=p95_latency_ms`, { token: other.token })
    expect(res.status).toBe(403)
    expect((await p.http('GET', `/customers/${customer.customerId}/metrics?metric_type=p95_latency_ms`)).status).toBe(401)
    const own = await p.http('GET', `/customers/${other.customerId}/metrics?metric_type=p95_latency_ms`, { token: other.token })
    expect(own.body).toEqual([])
    expect((await p.http('GET', `/customers/${customer.customerId}/metrics?metric_type=monthly_cost`, { token: p.adminToken })).status).toBe(200)
  })

  it('serves monthly and hourly cost from the bill\'s run-rate, not from telemetry', async () => {
    const c = await p.newCustomer('Billed Co')
    await p.deps.twin!.registerFleet(c.customerId, SMALL_FLEET)
    const end = p.deps.clock.now()
    const start = new Date(end.getTime() - 3_600_000)
    const q = (type: string) => p.http('GET', `/customers/${c.customerId}/metrics?metric_type=${type}&start_time=${start.toISOString()}&end_time=${end.toISOString()}&step=10m`, { token: c.token })
    const monthly = await q('monthly_cost')
    const hourly = await q('hourly_cost')
    expect(monthly.status).toBe(200)
    expect(monthly.body.length).toBe(7)
    const last = monthly.body[monthly.body.length - 1]
    expect(last.value).toBeCloseTo(await p.deps.twin!.monthlyRunRateUsd(c.customerId, new Date(last.timestamp)), 6)
    expect(last.value).toBeGreaterThan(0)
    expect(last.value / hourly.body[hourly.body.length - 1].value).toBeCloseTo(730, 6)
  })

  it('summarizes a deployment window for agents (readDeploymentSignals)', async () => {
    const s = await readDeploymentSignals(p.deps.db, customer.customerId, 'dep-a', { from: new Date(t0 - 1000), to: new Date(now) })
    expect(s).toMatchObject({ samples: 3, throughputRps: 10 })
    expect(s!.kvCacheUsage).toBeCloseTo(0.2)
    expect(s!.p95LatencyMs).toBeCloseTo(500)
    expect(s!.errorRate).toBeCloseTo(0.01)
    expect(s!.gpuUtilization).toBeNull()
    expect(await readDeploymentSignals(p.deps.db, customer.customerId, 'dep-a', { from: new Date(t0 - 1000), to: new Date(now) }, 'canary')).toBeNull()
  })
})
