import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestPlatform, type TestPlatform } from '../../server/test/platform.ts'
import { seedInfrastructure } from '../support/fixtures.ts'
import { approve, waits } from '../support/api.ts'

// tags: e2e — retry after a rollback (Argo Rollouts' `retry`), through the running platform: the
// change comes back as a new recommendation that the agents validate again and the customer approves.
let p: TestPlatform
beforeAll(async () => { p = await startTestPlatform() })
afterAll(async () => { await p?.stop() })

describe('e2e: retry after rollback', () => {
  it('proposes a rolled-back change again, validated afresh, and rolls it out once approved @p1', async () => {
    const c = await p.newCustomer('Retry Corp')
    const wait = waits(p, c.token)
    expect((await p.http('POST', `/customers/${c.customerId}/infrastructure`, { token: c.token, body: seedInfrastructure })).status).toBeLessThan(300)
    await p.http('POST', `/customers/${c.customerId}/analyze`, { token: c.token, body: { agent_type: 'cost' } })
    const rec = await wait.recommendation(c.customerId, (r) => r.type === 'spot_migration' && r.validation_status === 'validated')

    // a launch failure makes the first attempt fail; it is then lifted, as a quota raise would be
    const fault = await p.http('POST', '/admin/simulator/faults', { token: p.adminToken, body: { customer_id: c.customerId, target: 'all', kind: 'launch_failure' } })
    expect(fault.status).toBe(201)
    const first = await wait.optimizationDone((await approve(p, c.token, rec.id)).body.optimization_id)
    expect(['rolled_back', 'failed']).toContain(first.status)
    expect((await p.http('DELETE', `/admin/simulator/faults/${fault.body.id}`, { token: p.adminToken })).status).toBe(200)

    const other = await p.newCustomer('Other Corp')
    expect((await p.http('POST', `/optimizations/${first.id}/retry`, { token: other.token })).status).toBe(403)
    const retry = await p.http('POST', `/optimizations/${first.id}/retry`, { token: c.token })
    expect(retry.status, JSON.stringify(retry.body)).toBe(201)
    expect(retry.body).toMatchObject({ retry_of: first.id, created: true, validations_queued: rec.validations.length })
    const again = await p.http('POST', `/optimizations/${first.id}/retry`, { token: c.token })
    expect(again.status).toBe(200)
    expect(again.body.recommendation_id).toBe(retry.body.recommendation_id)

    const retried = await wait.recommendation(c.customerId, (r) => r.id === retry.body.recommendation_id && r.validation_status !== 'validating', 90_000)
    expect(retried.validation_status).toBe('validated')
    expect(retried).toMatchObject({ type: rec.type, deployment_id: rec.deployment_id })
    const detail = (await p.http('GET', `/recommendations/${retried.id}`, { token: c.token })).body
    expect(detail.evidence.retry_of).toMatchObject({ optimization_id: first.id, recommendation_id: rec.id, outcome: first.status })

    const second = await wait.optimizationDone((await approve(p, c.token, retried.id)).body.optimization_id)
    expect(second.status, JSON.stringify(second.result)).toBe('completed')
    const done = await p.http('POST', `/optimizations/${second.id}/retry`, { token: c.token })
    expect(done.status).toBe(409)
    expect(done.body).toMatchObject({ code: 'OPT_STATE_INVALID', requestId: expect.any(String) })
    const audit = (await p.http<{ action: string; detail: Record<string, unknown> }[]>('GET', `/customers/${c.customerId}/audit?subject_id=${first.id}`, { token: c.token })).body
    expect(audit.filter((a) => a.action === 'optimization:retry_requested').map((a) => a.detail.created)).toEqual(expect.arrayContaining([true, false]))
  }, 240_000)
})
