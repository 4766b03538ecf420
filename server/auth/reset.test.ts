import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freshDb } from '../test/db.ts'
import type { Db } from '../db/db.ts'
import { systemClock } from '../clock.ts'
import { signup, login } from './signup.ts'
import { createTokenService } from './tokens.ts'
import { resolvePrincipal } from '../http/auth.ts'
import { listAccounts, resetPassword } from './reset.ts'

describe('optiinfra reset-password', () => {
  let db: Db
  const tokens = createTokenService('x'.repeat(32), 3600)
  beforeAll(async () => { db = (await freshDb()).db })
  afterAll(async () => { await db.close() })

  it('sets a new password that logs in, and ends the sessions of the old one', async () => {
    await signup(db, systemClock, { email: 'Reset.Me@example.com', company_name: 'R', password: 'oldpass123' })
    const before = await login(db, tokens, 'reset.me@example.com', 'oldpass123')
    expect(await resolvePrincipal(before.access_token, tokens, db)).not.toBeNull()
    const fresh = await resetPassword(db, systemClock, 'reset.me@EXAMPLE.com')
    expect(fresh).toMatch(/[A-Za-z]/)
    expect(fresh).toMatch(/\d/)
    await expect(login(db, tokens, 'reset.me@example.com', 'oldpass123')).rejects.toMatchObject({ code: 'OPT_AUTH_BAD_CREDENTIALS' })
    expect((await login(db, tokens, 'reset.me@example.com', fresh)).role).toBe('customer')
    expect(await resolvePrincipal(before.access_token, tokens, db)).toBeNull()
    const audit = await db.query<{ action: string }>("SELECT action FROM audit_log WHERE action = 'user:password_reset'")
    expect(audit).toHaveLength(1)
  })

  it('refuses an unknown account with 404 and lists accounts without secrets', async () => {
    await expect(resetPassword(db, systemClock, 'nobody@example.com')).rejects.toMatchObject({ code: 'OPT_NOT_FOUND', statusCode: 404 })
    const accounts = await listAccounts(db)
    expect(accounts).toContainEqual({ email: 'reset.me@example.com', role: 'customer', disabled: false })
    expect(JSON.stringify(accounts)).not.toMatch(/password|hash/)
  })
})
