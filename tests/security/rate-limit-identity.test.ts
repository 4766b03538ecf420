import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestPlatform, type TestPlatform } from '../../server/test/platform.ts'

// tags: security p0 — issue 13 finding 2: limits keyed on identity, never on the header's spelling
const spellings = (token: string) => [`Bearer ${token}`, `bearer ${token}`, `Bearer  ${token}`, `BEARER ${token}`]

describe('security: rate limits follow the caller, not the header text', () => {
  let p: TestPlatform
  let customer: Awaited<ReturnType<TestPlatform['newCustomer']>>
  beforeAll(async () => {
    p = await startTestPlatform({ workers: false, env: { OPTIINFRA_AUTH_RATE_LIMIT: '8', OPTIINFRA_RATE_LIMIT: '24' } })
    customer = await p.newCustomer()
  })
  afterAll(async () => { await p?.stop() })

  it('test_login_guesses_limited_per_address_even_with_a_valid_token_in_any_spelling @p0', async () => {
    const statuses: number[] = []
    for (let i = 0; i < 16; i++) {
      const authorization = spellings(customer.token)[i % 4]!
      const res = await p.http('POST', '/auth/login', { body: { username: customer.email, password: `guess-${i}x` }, headers: { authorization } })
      statuses.push(res.status)
    }
    const first = statuses.indexOf(429)
    expect(first).toBeGreaterThanOrEqual(0)
    expect(first).toBeLessThanOrEqual(8)
    expect(statuses.slice(first).every((s) => s === 429)).toBe(true)
  })

  it('test_request_budget_follows_the_user_across_header_spellings @p0', async () => {
    const statuses: number[] = []
    for (let i = 0; i < 36; i++) {
      const res = await p.http('GET', `/customers/${customer.customerId}/recommendations`, { headers: { authorization: spellings(customer.token)[i % 4]! } })
      statuses.push(res.status)
    }
    expect(statuses.filter((s) => s === 200).length).toBeLessThanOrEqual(24)
    const first = statuses.indexOf(429)
    expect(first).toBeGreaterThan(0)
    expect(statuses.slice(first).every((s) => s === 429)).toBe(true)
  })

  it('test_invalid_tokens_limited_per_address @p0', async () => {
    const statuses: number[] = []
    for (let i = 0; i < 14; i++) {
      const res = await p.http('GET', '/customers', { token: `oir_${i.toString(16).padStart(40, 'f')}` })
      statuses.push(res.status)
      if (res.status === 429) {
        expect(res.body).toMatchObject({ code: 'OPT_RATE_LIMITED', requestId: expect.any(String) })
        expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0)
      }
    }
    expect(statuses.slice(0, 8).every((s) => s === 401)).toBe(true)
    expect(statuses.slice(8).every((s) => s === 429)).toBe(true)
  })

  it('test_malformed_authorization_headers_are_invalid_not_another_caller @p0', async () => {
    const fresh = await startTestPlatform({ workers: false })
    try {
      const c = await fresh.newCustomer()
      for (const authorization of [`Bearer ${c.token} extra`, `Bearer\t${c.token}`, `Token ${c.token}`, 'Bearer', '']) {
        const res = await fresh.http('GET', `/customers/${c.customerId}/recommendations`, { headers: { authorization } })
        expect(res.status, JSON.stringify(authorization)).toBe(401)
      }
      expect((await fresh.http('GET', `/customers/${c.customerId}/recommendations`, { headers: { authorization: `bearer  ${c.token}` } })).status).toBe(200)
    } finally { await fresh.stop() }
  })
})
