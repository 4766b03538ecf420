import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SignJWT } from 'jose'
import { startTestPlatform, type TestPlatform } from '../../server/test/platform.ts'

// tags: security p0
const SECRET = 'security-suite-secret-0123456789abcdef'
let p: TestPlatform
beforeAll(async () => { p = await startTestPlatform({ workers: false, env: { OPTIINFRA_JWT_SECRET: SECRET, OPTIINFRA_BODY_LIMIT: '65536' } }) })
afterAll(async () => { await p?.stop() })

const sign = (alg: string, claims: Record<string, unknown>, exp: number, secret = SECRET) =>
  new SignJWT(claims).setProtectedHeader({ alg }).setSubject(String(claims.sub ?? 'x')).setIssuer('optiinfra').setAudience('optiinfra:user')
    .setIssuedAt(exp - 3600).setExpirationTime(exp).sign(new TextEncoder().encode(secret))

describe('security: authentication and tenancy', () => {
  it('test_unauthorized_access_denied: no token → 401 @p0', async () => {
    expect((await p.http('GET', '/customers')).status).toBe(401)
  })

  it('test_customer_cannot_access_other_customer_data: other tenant → 403 @p0', async () => {
    const a = await p.newCustomer()
    const b = await p.newCustomer()
    const res = await p.http('GET', `/customers/${b.customerId}/audit`, { token: a.token })
    expect(res.status).toBe(403)
    expect(res.body).toMatchObject({ code: 'OPT_AUTH_FORBIDDEN', requestId: expect.any(String) })
  })

  it('test_sql_injection_prevented: malformed ids → 400/404 and nothing executed @p0', async () => {
    const a = await p.newCustomer()
    const before = await p.http('GET', '/customers', { token: p.adminToken })
    for (const evil of ["1' OR '1'='1", "1'; DROP TABLE customers; --", '../../etc/passwd']) {
      const res = await p.http('GET', `/customers/${encodeURIComponent(evil)}/audit`, { token: a.token })
      expect([400, 404]).toContain(res.status)
    }
    const login = await p.http('POST', '/auth/login', { body: { username: "' OR 1=1 --", password: "' OR 1=1 --" } })
    expect(login.status).toBe(401)
    const after = await p.http('GET', '/customers', { token: p.adminToken })
    expect(after.body.length).toBe(before.body.length)
  })

  it('test_xss_payload_stored_and_returned_escaped @p0', async () => {
    const payload = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    const signup = await p.http('POST', '/auth/signup', { body: { email: 'xss@example.com', company_name: payload, password: 'securepass123' } })
    expect(signup.status).toBe(201)
    const res = await fetch(`${p.url}/customers/${signup.body.customer_id}`, { headers: { authorization: `Bearer ${p.adminToken}` } })
    expect(res.headers.get('content-type')).toMatch(/^application\/json/)
    expect(res.headers.get('x-content-type-options')).toBe('nosniff')
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'")
    const body = await res.json() as { company_name: string }
    expect(body.company_name).toBe(payload) // stored verbatim, delivered as JSON data, never as markup
  })

  it('test_jwt_tampered_expired_and_wrong_algorithm_rejected @p0', async () => {
    const a = await p.newCustomer()
    const [h, payload, s] = a.token.split('.')
    const forged = JSON.parse(Buffer.from(payload!, 'base64url').toString())
    forged.role = 'admin'
    const tampered = `${h}.${Buffer.from(JSON.stringify(forged)).toString('base64url')}.${s}`
    const now = Math.floor(Date.now() / 1000)
    const expired = await sign('HS256', { sub: 'u', role: 'admin', cid: null }, now - 60)
    const wrongAlg = await sign('HS512', { sub: 'u', role: 'admin', cid: null }, now + 600)
    const wrongKey = await sign('HS256', { sub: 'u', role: 'admin', cid: null }, now + 600, 'another-secret-0123456789abcdef0123')
    const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub: 'u', role: 'admin', iss: 'optiinfra', aud: 'optiinfra:user', exp: now + 600 })).toString('base64url')}.`
    for (const token of [tampered, expired, wrongAlg, wrongKey, none, 'garbage']) {
      const res = await p.http('GET', '/customers', { token })
      expect(res.status, token.slice(0, 20)).toBe(401)
      expect(res.body.code).toBe('OPT_AUTH_INVALID_TOKEN')
    }
  })

  it('test_oversized_and_malformed_bodies_rejected_with_4xx @p0', async () => {
    const big = await p.http('POST', '/auth/signup', { body: JSON.stringify({ email: 'a@b.co', company_name: 'x'.repeat(70_000), password: 'securepass123' }) })
    expect(big.status).toBe(413)
    const malformed = await p.http('POST', '/auth/login', { body: '{"username": "a", ' })
    expect(malformed.status).toBe(400)
    const wrongType = await p.http('POST', '/auth/login', { body: 'username=a', headers: { 'content-type': 'text/plain' } })
    expect(wrongType.status).toBe(415)
    const wrongShape = await p.http('POST', '/auth/login', { body: { username: ['a'], password: 5 } })
    expect(wrongShape.status).toBe(400)
    for (const r of [big, malformed, wrongType, wrongShape]) expect(r.body).toMatchObject({ code: expect.stringMatching(/^OPT_/), requestId: expect.any(String) })
  })
})

describe('security: rate limiting', () => {
  it('test_rate_limit_returns_429_with_retry_after @p0', async () => {
    const limited = await startTestPlatform({ workers: false, env: { OPTIINFRA_AUTH_RATE_LIMIT: '5' } })
    try {
      const statuses: number[] = []
      let retryAfter: string | null = null
      for (let i = 0; i < 8; i++) {
        const res = await limited.http('POST', '/auth/login', { body: { username: 'nobody@example.com', password: 'wrongpass1' } })
        statuses.push(res.status)
        if (res.status === 429) { retryAfter = res.headers.get('retry-after'); expect(res.body.code).toBe('OPT_RATE_LIMITED') }
      }
      // the platform's own admin login used one of the 5 attempts allowed per minute
      const firstLimited = statuses.indexOf(429)
      expect(firstLimited).toBe(4)
      expect(statuses.slice(0, firstLimited).every((s) => s === 401)).toBe(true)
      expect(statuses.slice(firstLimited).every((s) => s === 429)).toBe(true)
      expect(Number(retryAfter)).toBeGreaterThan(0)
    } finally { await limited.stop() }
  })
})
