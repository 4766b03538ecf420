/**
 * Issue 14 item 5 in the portal: retry after rollback. A rollout that failed (an injected launch
 * failure) offers "Retry this change"; clicking it proposes the change again and opens the new
 * recommendation, which the running agents validate afresh.
 */
import { describe, expect, it } from 'vitest'
import { startTestPlatform } from '../../server/test/platform.ts'
import { seedInfrastructure } from '../support/fixtures.ts'
import { approve, waits } from '../support/api.ts'
import { contextWithSession, platformWithBrowser, watchErrors } from './support.ts'

const env = platformWithBrowser(() => startTestPlatform())

describe('retry after rollback in the portal', () => {
  it('offers a retry on a rolled-back rollout and opens the change proposed again', async () => {
    const [p, browser] = [env.platform(), env.browser()]
    const c = await p.newCustomer('Retry Portal Co')
    const wait = waits(p, c.token)
    expect((await p.http('POST', `/customers/${c.customerId}/infrastructure`, { token: c.token, body: seedInfrastructure })).status).toBeLessThan(300)
    await p.http('POST', `/customers/${c.customerId}/analyze`, { token: c.token, body: { agent_type: 'cost' } })
    const rec = await wait.recommendation(c.customerId, (r) => r.type === 'spot_migration' && r.validation_status === 'validated', 90_000)
    const fault = await p.http('POST', '/admin/simulator/faults', { token: p.adminToken, body: { customer_id: c.customerId, target: 'all', kind: 'launch_failure' } })
    const first = await wait.optimizationDone((await approve(p, c.token, rec.id)).body.optimization_id)
    expect(['rolled_back', 'failed']).toContain(first.status)
    await p.http('DELETE', `/admin/simulator/faults/${fault.body.id}`, { token: p.adminToken })

    const ctx = await contextWithSession(browser, { token: c.token, role: 'customer', customerId: c.customerId, email: c.email })
    const page = await ctx.newPage()
    const errors = watchErrors(page)
    await page.goto(`${p.url}/app/optimizations/${first.id}`)
    const button = page.getByTestId('retry-button')
    await button.waitFor({ timeout: 20_000 })
    await button.click()
    await page.waitForURL(/\/app\/recommendations\/[0-9a-f-]{36}$/, { timeout: 20_000 })
    const newId = page.url().split('/').pop()!
    expect(newId).not.toBe(rec.id)
    const retried = await wait.recommendation(c.customerId, (r) => r.id === newId && r.validation_status === 'validated', 90_000)
    expect(retried.type).toBe(rec.type)
    const audit = (await p.http<{ action: string; actor: string }[]>('GET', `/customers/${c.customerId}/audit?subject_id=${first.id}`, { token: c.token })).body
    expect(audit.find((a) => a.action === 'optimization:retry_requested')?.actor).toBeTruthy()
    expect(errors).toEqual([])
    await ctx.close()
  }, 240_000)
})
