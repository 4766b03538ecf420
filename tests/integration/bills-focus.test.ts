import { parse } from 'csv-parse/sync'
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { manualClock, type ManualClock } from '../../server/clock.ts'
import { startTestPlatform, type TestPlatform } from '../../server/test/platform.ts'
import { seedInfrastructure } from '../support/fixtures.ts'

// Bills in FOCUS through the HTTP API (issue 11 item 4): the twin's bill exported as FOCUS and
// imported through the same importer as a cloud's export; the FOCUS sample data; a bad file.
const SAMPLE = readFileSync(new URL('../../server/billing/fixtures/focus-1.0-sample.csv', import.meta.url), 'utf8')
const HOUR = 3_600_000
let p: TestPlatform
let clock: ManualClock
let customerId = ''
let token = ''
const csv = { 'content-type': 'text/csv' }

beforeAll(async () => {
  clock = manualClock(new Date('2026-06-01T00:00:00Z'))
  p = await startTestPlatform({ clock, workers: false })
  ;({ customerId, token } = await p.newCustomer('Focus Corp'))
  expect((await p.http('POST', `/customers/${customerId}/infrastructure`, { token, body: seedInfrastructure })).status).toBeLessThan(300)
  clock.advance(5 * HOUR)
}, 120_000)
afterAll(async () => { await p?.stop() })

describe('integration: bills in FOCUS', () => {
  it('exports the fleet\'s bill as FOCUS, and importing it gives the rows and total of the provider\'s bill', async () => {
    const to = clock.now()
    const from = new Date(to.getTime() - 4 * HOUR)
    const exported = await p.http<string>('GET', `/customers/${customerId}/bills/export?format=focus&start_time=${from.toISOString()}&end_time=${to.toISOString()}`, { token })
    expect(exported.status).toBe(200)
    expect(exported.headers.get('content-type')).toMatch(/^text\/csv/)
    const lines = await p.deps.cloud.getBill(customerId, from, to)
    const expected = lines.reduce((s, l) => s + l.costUsd, 0)
    expect(expected).toBeGreaterThan(0)
    const imported = await p.http('POST', `/customers/${customerId}/bills`, { token, body: exported.body, headers: csv })
    expect(imported.status, JSON.stringify(imported.body)).toBe(201)
    // one row per instance and hour it ran: two instances for the four whole hours
    expect(imported.body).toMatchObject({ rows: lines.length * 4, currency: 'USD', billing_period_start: '2026-06-01T00:00:00.000Z', billing_period_end: '2026-07-01T00:00:00.000Z' })
    expect(imported.body.total_effective_cost).toBeCloseTo(expected, 6)
    const costs = await p.http<{ resource_id: string; effective_cost: number }[]>('GET', `/customers/${customerId}/bills/costs?start_time=${from.toISOString()}&end_time=${to.toISOString()}`, { token })
    expect(costs.body.map((c) => c.resource_id).sort()).toEqual(lines.map((l) => l.instanceId).sort())
    for (const l of lines) expect(costs.body.find((c) => c.resource_id === l.instanceId)!.effective_cost).toBeCloseTo(l.costUsd, 6)
  })

  it('imports the FOCUS specification\'s public sample data with the hand-checked totals', async () => {
    const res = await p.http('POST', `/customers/${customerId}/bills?format=focus`, { token, body: SAMPLE, headers: csv })
    expect(res.status, JSON.stringify(res.body)).toBe(201)
    expect(res.body).toMatchObject({ rows: 1000, billing_period_start: '2024-09-01T00:00:00.000Z', billing_period_end: '2024-11-01T00:00:00.000Z' })
    expect(res.body.total_effective_cost).toBeCloseTo(14.97651418586, 9)
    const list = await p.http<{ id: string }[]>('GET', `/customers/${customerId}/bills`, { token })
    expect(list.body.map((b) => b.id)).toContain(res.body.id)
  })

  it('refuses a file with bad rows by line number and stores nothing; other tenants and other media are refused', async () => {
    const before = (await p.deps.db.query<{ n: number }>('SELECT count(*)::int AS n FROM bill_lines'))[0]!.n
    const [header, ...rows] = SAMPLE.split('\n')
    const bad = [header, rows[0], rows[1]!.replace(/,"Usage",/, ',NULL,'), rows[2]].join('\n')
    const res = await p.http('POST', `/customers/${customerId}/bills`, { token, body: bad, headers: csv })
    expect(res.status).toBe(400)
    expect(res.body).toMatchObject({ code: 'OPT_BILL_INVALID', requestId: expect.any(String) })
    expect(res.body.message).toMatch(/line 3: ChargeCategory is empty/)
    expect((await p.deps.db.query<{ n: number }>('SELECT count(*)::int AS n FROM bill_lines'))[0]!.n).toBe(before)
    const other = await p.newCustomer('Other Corp')
    expect((await p.http('POST', `/customers/${customerId}/bills`, { token: other.token, body: SAMPLE, headers: csv })).status).toBe(403)
    expect((await p.http('GET', `/customers/${customerId}/bills`, { token: other.token })).status).toBe(403)
    expect((await p.http('POST', `/customers/${customerId}/bills`, { token, body: { rows: [] } })).status).toBe(415)
    expect((await p.http('GET', `/customers/${customerId}/bills/export?format=focus&start_time=2020-01-01T00:00:00Z`, { token })).body.code).toBe('OPT_BILL_INVALID')
  })

  it('shows the last whole day the imported bill covers on the dashboard, with the cost of a hand check', async () => {
    const c = await p.newCustomer('Billed Day Corp')
    expect((await p.http('POST', `/customers/${c.customerId}/infrastructure`, { token: c.token, body: seedInfrastructure })).status).toBeLessThan(300)
    const registered = clock.now()
    const dashboard = async () => (await p.http('GET', `/portal/customers/${c.customerId}/dashboard`, { token: c.token })).body
    expect((await dashboard()).billed_day).toBeNull()
    clock.advance(44 * HOUR)
    const exported = await p.http<string>('GET', `/customers/${c.customerId}/bills/export?format=focus&start_time=${registered.toISOString()}&end_time=${clock.now().toISOString()}`, { token: c.token })
    expect((await p.http('POST', `/customers/${c.customerId}/bills`, { token: c.token, body: exported.body, headers: csv })).status).toBe(201)
    // registered 2026-06-01T05:00, billed up to 06-03T01:00: the last whole day is June 2
    const day = { from: new Date('2026-06-02T00:00:00Z'), to: new Date('2026-06-03T00:00:00Z') }
    const expected = (await p.deps.cloud.getBill(c.customerId, day.from, day.to)).reduce((sum, l) => sum + l.costUsd, 0)
    const billed = (await dashboard()).billed_day
    expect(billed).toMatchObject({ day: '2026-06-02' })
    expect(billed.effective_cost).toBeCloseTo(expected, 1)
    expect(billed.monthly_rate).toBeCloseTo((expected / 24) * 730, 0)
    // the provider runs this fleet: spend is its run-rate, the billed day stands beside it
    expect((await dashboard()).spend_source).toBe('provider_run_rate')
  })

  it('takes current spend from the imported bill for a fleet the provider does not run, on the dashboard and in the report', async () => {
    const c = await p.newCustomer('Prometheus Only Corp')
    const dashboard = async () => (await p.http('GET', `/portal/customers/${c.customerId}/dashboard`, { token: c.token })).body
    expect(await dashboard()).toMatchObject({ current_spend: 0, spend_source: null, billed_day: null })
    expect((await p.http('POST', `/customers/${c.customerId}/bills`, { token: c.token, body: SAMPLE, headers: csv })).status).toBe(201)
    const d = await dashboard()
    expect(d.spend_source).toBe('imported_bill')
    expect(d.billed_day.monthly_rate).toBeGreaterThan(0)
    expect(d.current_spend).toBe(d.billed_day.monthly_rate)
    const report = (await p.http('GET', `/customers/${c.customerId}/reports/savings`, { token: c.token })).body
    expect(report.spend.current_monthly).toBeCloseTo(d.current_spend, 2)
    // the spend metric over a day the sample covers: each point the bill's cost over the hour before it, by hand from the CSV
    const rows = parse(SAMPLE, { columns: true }) as Record<string, string>[]
    const at = (v: string) => Date.parse(`${v.replace(' ', 'T')}Z`)
    const hand = (end: number) => rows.reduce((sum, r) => {
      const [s0, s1] = [at(r.ChargePeriodStart!), at(r.ChargePeriodEnd!)]
      const inside = Math.max(0, Math.min(s1, end) - Math.max(s0, end - HOUR))
      return sum + (s1 > s0 ? Number(r.EffectiveCost) * inside / (s1 - s0) : 0)
    }, 0) * 730
    const series = (await p.http<{ timestamp: string; value: number }[]>('GET', `/customers/${c.customerId}/metrics?metric_type=monthly_cost&start_time=2024-09-20T00:00:00Z&end_time=2024-09-21T00:00:00Z&step=1h`, { token: c.token })).body
    expect(series.length).toBe(25)
    for (const point of series) expect(point.value).toBeCloseTo(hand(Date.parse(point.timestamp)), 6)
    expect(series.some((point) => point.value > 0)).toBe(true)
  })
})
