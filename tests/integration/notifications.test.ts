import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestPlatform, waitFor, type TestPlatform } from '../../server/test/platform.ts'
import { seedInfrastructure } from '../support/fixtures.ts'

let p: TestPlatform
let receiver: Server
let hookUrl: string
const received: { path: string; body: any }[] = []

beforeAll(async () => {
  receiver = createServer((req, res) => {
    let text = ''
    req.on('data', (c) => { text += c })
    req.on('end', () => {
      received.push({ path: req.url ?? '', body: JSON.parse(text) })
      res.writeHead(200).end('ok')
    })
  })
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r))
  hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`
  p = await startTestPlatform({ env: { OPTIINFRA_WEBHOOKS_ALLOW_PRIVATE: 'true' } })
})
afterAll(async () => {
  await p?.stop()
  await new Promise((r) => receiver?.close(r))
})

describe('notifications to a webhook', () => {
  it('test_webhook_hears_that_a_validated_recommendation_needs_approval @p1', async () => {
    const c = await p.newCustomer('Hooked Inc')
    const hook = await p.http('POST', `/customers/${c.customerId}/notifications/webhooks`, { token: c.token, body: { url: `${hookUrl}/hooked`, events: ['approval_needed', 'rolled_back'] } })
    expect(hook.status).toBe(201)
    await p.http('POST', `/customers/${c.customerId}/infrastructure`, { token: c.token, body: seedInfrastructure })
    await p.http('POST', `/customers/${c.customerId}/analyze`, { token: c.token, body: { agent_type: 'cost' } })
    const msg = await waitFor(async () => received.find((r) => r.path === '/hooked'), { timeoutMs: 90_000, what: 'an approval_needed notification' })
    expect(msg.body.text).toMatch(/waiting for approval: recommendation [0-9a-f-]{36}/)
    expect(msg.body.blocks[1].elements[0].text).toContain(`${p.url}/app/recommendations/`)
    // the sender records the delivery once the receiver's answer is in, which can land after the receiver saw the body
    const delivered = await waitFor(async () => {
      const list = (await p.http<any[]>('GET', `/customers/${c.customerId}/notifications/deliveries`, { token: c.token })).body
      return list?.[0]
    }, { timeoutMs: 10_000, what: 'the delivery record' })
    expect(delivered).toMatchObject({ event: 'approval_needed', status: 'delivered', http_status: 200 })
  })

  it('refuses private addresses by default, keeps tenants apart, and stops after deletion', async () => {
    const strict = await p.newCustomer('Strict Ltd')
    const other = await p.newCustomer('Other Ltd')
    const refused = await p.http('POST', `/customers/${strict.customerId}/notifications/webhooks`, { token: strict.token, body: { url: 'ftp://x' } })
    expect(refused.status).toBe(400)
    expect(refused.body.code).toBe('OPT_VALIDATION_FAILED')
    const made = await p.http('POST', `/customers/${strict.customerId}/notifications/webhooks`, { token: strict.token, body: { url: `${hookUrl}/strict` } })
    expect(made.status).toBe(201)
    expect((await p.http('GET', `/customers/${strict.customerId}/notifications/webhooks`, { token: other.token })).status).toBe(403)
    expect((await p.http('DELETE', `/customers/${strict.customerId}/notifications/webhooks/${made.body.id}`, { token: other.token })).status).toBe(403)
    expect((await p.http('DELETE', `/customers/${strict.customerId}/notifications/webhooks/${made.body.id}`, { token: strict.token })).status).toBe(204)
    expect((await p.http('GET', `/customers/${strict.customerId}/notifications/webhooks`, { token: strict.token })).body).toEqual([])
  })
})
