import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { startTestPlatform, waitFor, type TestPlatform } from '../../server/test/platform.ts'

// tags: security — logout, disabling and deleting a user revoke their tokens at once
let p: TestPlatform
beforeAll(async () => { p = await startTestPlatform({ workers: false }) })
afterAll(async () => { await p?.stop() })

const read = (c: { customerId: string }, token: string) => p.http('GET', `/customers/${c.customerId}`, { token })
const write = (c: { customerId: string }, token: string) => p.http('PATCH', `/customers/${c.customerId}`, { token, body: { company_name: 'Renamed' } })
const userIdOf = async (c: { customerId: string; token: string }) => (await p.http('GET', `/customers/${c.customerId}/users`, { token: c.token })).body[0].id as string

describe('security: revocable tokens', () => {
  it('test_logout_revokes_every_token_of_the_user_at_once', async () => {
    const c = await p.newCustomer('Logout Corp')
    const second = (await p.http('POST', '/auth/login', { body: { username: c.email, password: c.password } })).body.access_token
    expect((await read(c, c.token)).status).toBe(200)
    expect((await p.http('POST', '/auth/logout', { token: c.token })).body).toEqual({ logged_out: true })
    for (const t of [c.token, second]) {
      expect((await read(c, t)).body).toMatchObject({ code: 'OPT_AUTH_INVALID_TOKEN' })
      expect((await write(c, t)).status).toBe(401)
    }
    const fresh = (await p.http('POST', '/auth/login', { body: { username: c.email, password: c.password } })).body.access_token
    expect((await read(c, fresh)).status).toBe(200)
  })

  it('test_disabled_user_loses_reads_writes_and_login_until_enabled_again', async () => {
    const c = await p.newCustomer('Disabled Corp')
    const id = await userIdOf(c)
    const off = await p.http('PATCH', `/users/${id}`, { token: p.adminToken, body: { disabled: true } })
    expect(off.body).toMatchObject({ id, disabled: true })
    expect((await read(c, c.token)).status).toBe(401)
    expect((await write(c, c.token)).status).toBe(401)
    expect((await p.http('POST', '/auth/login', { body: { username: c.email, password: c.password } })).status).toBe(401)
    await p.http('PATCH', `/users/${id}`, { token: p.adminToken, body: { disabled: false } })
    expect((await p.http('POST', '/auth/login', { body: { username: c.email, password: c.password } })).status).toBe(200)
    const audit = (await p.http('GET', `/customers/${c.customerId}/audit`, { token: p.adminToken })).body.map((e: { action: string }) => e.action)
    expect(audit).toEqual(expect.arrayContaining(['user:disabled', 'user:enabled']))
  })

  it('test_deleted_user_token_stops_working_and_only_admins_manage_users', async () => {
    const c = await p.newCustomer('Deleted Corp')
    const other = await p.newCustomer('Bystander Corp')
    const id = await userIdOf(c)
    expect((await p.http('DELETE', `/users/${id}`, { token: other.token })).status).toBe(403)
    expect((await p.http('PATCH', `/users/${id}`, { token: c.token, body: { disabled: true } })).status).toBe(403)
    expect((await p.http('DELETE', `/users/${id}`, { token: p.adminToken })).body).toEqual({ deleted: true })
    expect((await read(c, c.token)).status).toBe(401)
    expect((await p.http('DELETE', `/users/${id}`, { token: p.adminToken })).status).toBe(404)
  })

  it('test_admin_cannot_lock_themselves_out', async () => {
    const adminId = JSON.parse(Buffer.from(p.adminToken.split('.')[1]!, 'base64url').toString()).sub as string
    expect((await p.http('PATCH', `/users/${adminId}`, { token: p.adminToken, body: { disabled: true } })).status).toBe(409)
    expect((await p.http('DELETE', `/users/${adminId}`, { token: p.adminToken })).status).toBe(409)
    expect((await p.http('GET', '/customers', { token: p.adminToken })).status).toBe(200)
  })

  it('test_open_websocket_of_a_revoked_user_is_closed_with_4401', async () => {
    const c = await p.newCustomer('Live Corp')
    const id = await userIdOf(c)
    const ws = new WebSocket(`${p.url.replace('http', 'ws')}/ws/customers/${c.customerId}?token=${c.token}`)
    let closedWith = 0
    ws.on('close', (code) => { closedWith = code })
    await new Promise<void>((resolve, reject) => { ws.once('message', () => resolve()); ws.once('error', reject) })
    await p.http('PATCH', `/users/${id}`, { token: p.adminToken, body: { disabled: true } })
    await waitFor(async () => closedWith !== 0, { what: 'the revoked session to close' })
    expect(closedWith).toBe(4401)
  })
})
