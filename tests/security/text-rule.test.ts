import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestPlatform, type TestPlatform } from '../../server/test/platform.ts'

// tags: security — strings PostgreSQL cannot store (NUL, unpaired surrogates) and router errors
let p: TestPlatform
beforeAll(async () => { p = await startTestPlatform({ workers: false }) })
afterAll(async () => { await p?.stop() })

const NUL = 'a\u0000b'
const LONE = 'a\ud800b'

function expectTextRefused(res: { status: number; body: any }) {
  expect(res.status).toBe(400)
  expect(res.body).toMatchObject({ code: 'OPT_TEXT_INVALID', message: expect.any(String), requestId: expect.any(String) })
}

describe('security: one text rule for every input', () => {
  it('test_login_and_signup_refuse_nul_and_lone_surrogates_with_400 @p1', async () => {
    expectTextRefused(await p.http('POST', '/auth/login', { body: { username: NUL, password: 'x' } }))
    expectTextRefused(await p.http('POST', '/auth/login', { body: { username: 'u@example.com', password: LONE } }))
    expectTextRefused(await p.http('POST', '/auth/signup', { body: { email: 'n@example.com', company_name: LONE, password: 'securepass123', plan: 'pro' } }))
  })

  it('test_text_rule_covers_bodies_query_strings_and_path_parameters_and_writes_nothing', async () => {
    const c = await p.newCustomer('Text Corp')
    expectTextRefused(await p.http('PATCH', `/customers/${c.customerId}`, { token: c.token, body: { company_name: NUL } }))
    expect((await p.http('GET', `/customers/${c.customerId}`, { token: c.token })).body.company_name).toBe('Text Corp')
    expectTextRefused(await p.http('GET', `/customers/${c.customerId}/audit?subject_id=${encodeURIComponent(NUL)}`, { token: c.token }))
    expectTextRefused(await p.http('GET', `/recommendations/${encodeURIComponent(NUL)}`, { token: c.token }))
    expectTextRefused(await p.http('POST', '/orchestrator/agents/register', { token: p.adminToken, body: { agent_type: 'cost', version: '1', capabilities: [], hostname: LONE } }))
  })

  it('test_router_errors_answer_in_the_error_shape', async () => {
    const long = await p.http('GET', `/recommendations/${'x'.repeat(600)}`, { token: p.adminToken })
    expect(long.status).toBe(414)
    expect(long.body).toMatchObject({ code: 'OPT_URI_TOO_LONG', requestId: expect.any(String) })
    const badUrl = await p.http('GET', '/recommendations/%E0%A4%A', { token: p.adminToken })
    expect(badUrl.status).toBe(400)
    expect(badUrl.body).toMatchObject({ code: 'OPT_BAD_REQUEST', requestId: expect.any(String) })
  })

  it('test_telemetry_quarantines_the_record_with_bad_text_and_stores_the_rest', async () => {
    const c = await p.newCustomer('Telemetry Text Corp')
    const token = (await p.http('GET', `/customers/${c.customerId}/agent-install-command`, { token: c.token })).body.agent_token
    const now = Date.now()
    const rec = (labels: Record<string, string>, extra: Record<string, string> = {}) => ({ series: { metric: 'vllm:num_requests_running', labels, ...extra }, ts: now, value: 1 })
    const res = await p.http('POST', '/telemetry/ingest', { token, body: { records: [
      rec({ pod: 'ok-1' }), rec({ pod: NUL }), rec({ pod: 'ok-2' }, { deployment_id: LONE }), rec({ pod: 'ok-3' }),
    ] } })
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ received: 4, stored: 2, quarantined: 2, quarantine_reasons: { text_invalid: 2 } })
    // the next push of the same customer is not blocked by the earlier bad record
    expect((await p.http('POST', '/telemetry/ingest', { token, body: { records: [rec({ pod: 'ok-4' })] } })).body).toMatchObject({ stored: 1 })
  })
})
