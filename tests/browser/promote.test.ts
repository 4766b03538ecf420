/**
 * Issue 14 item 5 in the portal: promote a baking canary past its analysis (Argo's promote). The
 * bake's intervals are an hour of fleet time, so without the button the canary would still be
 * baking when the test ends.
 */
import { describe, expect, it } from 'vitest'
import { waitFor } from '../../server/test/platform.ts'
import { insertRecommendation, registerSeedFleet, spotPlanFor, startWorkflowPlatform } from '../../server/test/optimization-fixtures.ts'
import { DEFAULT_BAKE } from '../../server/rollouts/rollout.ts'
import { contextWithSession, platformWithBrowser, watchErrors } from './support.ts'

const env = platformWithBrowser(() => startWorkflowPlatform({ bake: { ...DEFAULT_BAKE, intervalMs: 3_600_000 } }))

describe('promote in the portal', () => {
  it('promotes the canary past its running analysis from the rollout page', async () => {
    const [p, browser] = [env.platform(), env.browser()]
    const c = await p.newCustomer('Promote Portal Co')
    const dep = await registerSeedFleet(p.deps.twin!, c.customerId, 'pp')
    const { plan, before, after } = await spotPlanFor(p.deps.twin!, c.customerId, dep.id)
    const recId = await insertRecommendation(p.deps.db, p.deps.clock, { customerId: c.customerId, plan, savings: before - after, before })
    const id = (await p.http('POST', `/recommendations/${recId}/approve`, { token: c.token })).body.optimization_id as string
    await waitFor(async () => (await p.http<any>('GET', `/optimizations/${id}`, { token: c.token })).body.current_step === 'validate_canary' || undefined, { timeoutMs: 60_000, what: 'the canary baking' })

    const ctx = await contextWithSession(browser, { token: c.token, role: 'customer', customerId: c.customerId, email: c.email })
    const page = await ctx.newPage()
    const errors = watchErrors(page)
    await page.goto(`${p.url}/app/optimizations/${id}`)
    await page.getByTestId('promote-button').click()
    await page.locator('[data-testid=step-row][data-name=validate_canary][data-status=completed]').waitFor({ timeout: 30_000 })
    const step = (await p.http<any>('GET', `/optimizations/${id}`, { token: c.token })).body.execution_steps.find((s: any) => s.name === 'validate_canary')
    expect(step.detail).toMatchObject({ verdict: 'promoted', promoted_by: expect.stringMatching(/^user:/) })
    const audit = (await p.http<{ action: string; detail: { step: string } }[]>('GET', `/customers/${c.customerId}/audit?subject_id=${id}`, { token: c.token })).body
    expect(audit.find((a) => a.action === 'optimization:promoted')?.detail.step).toBe('validate_canary')
    expect(errors).toEqual([])
    await ctx.close()
  }, 180_000)
})
