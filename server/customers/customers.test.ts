import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestPlatform, type TestPlatform } from '../test/platform.ts'

let p: TestPlatform
beforeAll(async () => { p = await startTestPlatform({ workers: false }) })
afterAll(async () => { await p?.stop() })

describe('customers and tenancy', () => {
  it('answers 401 without a token', async () => {
    const res = await p.http('GET', '/customers')
    expect(res.status).toBe(401)
    expect(res.body.code).toBe('OPT_AUTH_REQUIRED')
  })

  it('shows a customer only its own record, and an admin all of them', async () => {
    const a = await p.newCustomer('A Corp')
    const b = await p.newCustomer('B Corp')
    const own = await p.http('GET', '/customers', { token: a.token })
    expect(own.body.map((c: { id: string }) => c.id)).toEqual([a.customerId])
    const all = await p.http('GET', '/customers', { token: p.adminToken })
    expect(all.body.map((c: { id: string }) => c.id)).toEqual(expect.arrayContaining([a.customerId, b.customerId]))
  })

  it("refuses another tenant's customer with 403", async () => {
    const a = await p.newCustomer()
    const b = await p.newCustomer()
    expect((await p.http('GET', `/customers/${b.customerId}`, { token: a.token })).status).toBe(403)
    expect((await p.http('PATCH', `/customers/${b.customerId}`, { token: a.token, body: { plan: 'enterprise' } })).status).toBe(403)
    expect((await p.http('GET', `/customers/${b.customerId}/audit`, { token: a.token })).status).toBe(403)
  })

  it('answers a malformed id with 400, never 500', async () => {
    const a = await p.newCustomer()
    const res = await p.http('GET', `/customers/${encodeURIComponent("1' OR '1'='1")}`, { token: a.token })
    expect(res.status).toBe(400)
    expect(res.body.code).toBe('OPT_VALIDATION_FAILED')
  })

  it('lets only an admin create customers', async () => {
    const a = await p.newCustomer()
    expect((await p.http('POST', '/customers', { token: a.token, body: { company_name: 'X' } })).status).toBe(403)
    const created = await p.http('POST', '/customers', { token: p.adminToken, body: { company_name: 'Made by admin', plan: 'enterprise', cloud_provider: 'gcp' } })
    expect(created.status).toBe(201)
    expect(created.body).toMatchObject({ company_name: 'Made by admin', plan: 'enterprise', cloud_provider: 'gcp' })
  })

  it('merges preferences on PATCH and audits the change', async () => {
    const a = await p.newCustomer()
    await p.http('PATCH', `/customers/${a.customerId}`, { token: a.token, body: { preferences: { risk_tolerance: 'low' } } })
    const res = await p.http('PATCH', `/customers/${a.customerId}`, { token: a.token, body: { preferences: { never_spot_deployments: ['vllm-prod-1'] } } })
    expect(res.body.preferences).toEqual({ risk_tolerance: 'low', never_spot_deployments: ['vllm-prod-1'] })
    const audit = await p.http('GET', `/customers/${a.customerId}/audit`, { token: a.token })
    expect(audit.body.filter((e: { action: string }) => e.action === 'customer:updated')).toHaveLength(2)
  })

  it('rejects unknown fields and bad preference values without writing', async () => {
    const a = await p.newCustomer()
    const bad = await p.http('PATCH', `/customers/${a.customerId}`, { token: a.token, body: { preferences: { risk_tolerance: 'yolo' } } })
    expect(bad.status).toBe(400)
    const extra = await p.http('PATCH', `/customers/${a.customerId}`, { token: a.token, body: { company_name: 'Y', is_admin: true } })
    expect(extra.status).toBe(400)
    const now = await p.http('GET', `/customers/${a.customerId}`, { token: a.token })
    expect(now.body.company_name).toBe('Acme Corp')
    expect(now.body.preferences).toEqual({})
  })
})
