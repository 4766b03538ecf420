import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestPlatform, type TestPlatform } from '../test/platform.ts'

let p: TestPlatform
beforeAll(async () => { p = await startTestPlatform({ workers: false }) })
afterAll(async () => { await p?.stop() })

describe('signup and login', () => {
  it('signs up a customer and logs in with a bearer JWT', async () => {
    const signup = await p.http('POST', '/auth/signup', { body: { email: 'New@Example.com', company_name: 'NewCorp Inc', password: 'securepass123', plan: 'pro' } })
    expect(signup.status).toBe(201)
    expect(signup.body.success).toBe(true)
    const login = await p.http('POST', '/auth/login', { body: { username: 'new@example.com', password: 'securepass123' } })
    expect(login.status).toBe(200)
    expect(login.body).toMatchObject({ token_type: 'bearer', customer_id: signup.body.customer_id, role: 'customer' })
    expect(login.body.access_token.split('.')).toHaveLength(3)
  })

  it('rejects a duplicate email with 409 and writes nothing', async () => {
    const body = { email: 'dup@example.com', company_name: 'Dup', password: 'securepass123', plan: 'pro' }
    expect((await p.http('POST', '/auth/signup', { body })).status).toBe(201)
    const again = await p.http('POST', '/auth/signup', { body: { ...body, email: 'DUP@example.com', company_name: 'Dup2' } })
    expect(again.status).toBe(409)
    expect(again.body.code).toBe('OPT_AUTH_EMAIL_TAKEN')
    const all = await p.http('GET', '/customers', { token: p.adminToken })
    expect(all.body.filter((c: { company_name: string }) => c.company_name === 'Dup2')).toHaveLength(0)
  })

  it('rejects weak passwords and bad emails with 400', async () => {
    const weak = await p.http('POST', '/auth/signup', { body: { email: 'w@example.com', company_name: 'W', password: 'short', plan: 'pro' } })
    expect(weak.status).toBe(400)
    expect(weak.body.code).toBe('OPT_AUTH_WEAK_PASSWORD')
    const bad = await p.http('POST', '/auth/signup', { body: { email: 'not-an-email', company_name: 'W', password: 'securepass123' } })
    expect(bad.status).toBe(400)
    expect(bad.body).toMatchObject({ code: 'OPT_VALIDATION_FAILED' })
    expect(typeof bad.body.requestId).toBe('string')
  })

  it('answers a wrong password and an unknown user with the same 401', async () => {
    const { email } = await p.newCustomer()
    const wrong = await p.http('POST', '/auth/login', { body: { username: email, password: 'wrongpass123' } })
    const unknown = await p.http('POST', '/auth/login', { body: { username: 'nobody@example.com', password: 'wrongpass123' } })
    expect(wrong.status).toBe(401)
    expect(unknown.status).toBe(401)
    expect(wrong.body.message).toBe(unknown.body.message)
  })

  it('still logs in an account whose password hash another bcrypt implementation stored ($2a$, $2b$)', async () => {
    // OpenBSD's published test vector: "U*U" at cost 5, stored under both prefixes bcryptjs wrote
    const digest = '05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW'
    for (const prefix of ['$2a$', '$2b$']) {
      const { email } = await p.newCustomer()
      await p.deps.db.query('UPDATE users SET password_hash = $2 WHERE email = $1', [email, prefix + digest])
      expect((await p.http('POST', '/auth/login', { body: { username: email, password: 'U*U' } })).status, prefix).toBe(200)
      expect((await p.http('POST', '/auth/login', { body: { username: email, password: 'U*V' } })).status, prefix).toBe(401)
    }
  })
})
