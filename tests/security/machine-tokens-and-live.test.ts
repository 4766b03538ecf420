import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket from 'ws'
import { startTestPlatform, type TestPlatform } from '../../server/test/platform.ts'

// tags: security p0
let p: TestPlatform
beforeAll(async () => { p = await startTestPlatform({ workers: false }) })
afterAll(async () => { await p?.stop() })

/** Opens a WebSocket; resolves with the HTTP status of a refused upgrade, or 101 and the first message. */
function openWs(url: string): Promise<{ status: number; first?: any }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url)
    ws.on('unexpected-response', (_req, res) => { resolve({ status: res.statusCode ?? 0 }); ws.terminate() })
    ws.on('message', (data) => { resolve({ status: 101, first: JSON.parse(String(data)) }); ws.close() })
    ws.on('error', () => resolve({ status: 0 }))
  })
}

describe('security: machine tokens, fault injection and live updates', () => {
  it('test_websocket_requires_token_and_tenant @p0', async () => {
    const a = await p.newCustomer()
    const b = await p.newCustomer()
    const ws = p.url.replace('http', 'ws')
    expect((await openWs(`${ws}/ws/customers/${a.customerId}`)).status).toBe(401)
    expect((await openWs(`${ws}/ws/customers/${a.customerId}?token=forged.jwt.value`)).status).toBe(401)
    expect((await openWs(`${ws}/ws/customers/${b.customerId}?token=${a.token}`)).status).toBe(403)
    const own = await openWs(`${ws}/ws/customers/${a.customerId}?token=${a.token}`)
    expect(own).toMatchObject({ status: 101, first: { type: 'live:connected', customerId: a.customerId } })
  })

  it('test_agent_token_cannot_act_as_user @p0', async () => {
    const a = await p.newCustomer()
    const install = await p.http('GET', `/customers/${a.customerId}/agent-install-command`, { token: a.token })
    expect(install.status).toBe(200)
    const runtimeToken = install.body.agent_token as string
    const agent = await p.http('POST', '/orchestrator/agent-tokens', { token: p.adminToken, body: { label: 'security test' } })
    expect(agent.status).toBe(201)
    for (const machine of [runtimeToken, agent.body.token as string]) {
      expect((await p.http('GET', '/customers', { token: machine })).status).toBe(403)
      expect((await p.http('GET', `/customers/${a.customerId}/recommendations`, { token: machine })).status).toBe(403)
      expect((await p.http('PATCH', `/customers/${a.customerId}`, { token: machine, body: { plan: 'enterprise' } })).status).toBe(403)
    }
    // a revoked runtime token is refused outright
    await p.http('DELETE', `/customers/${a.customerId}/agent-tokens/${install.body.token_id}`, { token: a.token })
    expect((await p.http('GET', '/customers', { token: runtimeToken })).status).toBe(401)
  })

  it('test_fault_injection_refused_to_non_admins @p0', async () => {
    const a = await p.newCustomer()
    const body = { customer_id: a.customerId, kind: 'error_burst', target: 'all' }
    expect((await p.http('POST', '/admin/simulator/faults', { body })).status).toBe(401)
    const refused = await p.http('POST', '/admin/simulator/faults', { token: a.token, body })
    expect(refused.status).toBe(403)
    expect((await p.http('GET', `/admin/simulator/faults?customer_id=${a.customerId}`, { token: p.adminToken })).body).toHaveLength(0)
    expect((await p.http('POST', '/admin/simulator/faults', { token: p.adminToken, body })).status).toBe(201)
  })
})
