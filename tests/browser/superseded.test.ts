/**
 * Issue 10 in the portal: a recommendation open on screen whose alternative is approved meanwhile
 * (one change of the same deployment's capacity) cannot be approved any more: the approval is
 * refused as superseded and the page says why, instead of a second capacity change undoing the first.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { startTestPlatform, waitFor, type TestPlatform } from '../../server/test/platform.ts'
import { contextWithSession, launchBrowser, loginDemoCustomer, shot, watchErrors, type SessionSpec } from './support.ts'

interface Rec { id: string; type: string; deployment_id: string | null; exclusive_group: string | null; validation_status: string }

let p: TestPlatform
let browser: Browser
let demo: SessionSpec & { customerId: string }
beforeAll(async () => {
  p = await startTestPlatform({ env: { OPTIINFRA_DEMO: 'true' } })
  browser = await launchBrowser()
  demo = await loginDemoCustomer(p)
}, 120_000)
afterAll(async () => {
  await browser?.close()
  await p?.stop()
})

/** Two validated pending alternatives of one deployment's capacity (same exclusive group). */
async function alternatives(): Promise<[Rec, Rec]> {
  return waitFor(async () => {
    const list = (await p.http<Rec[]>('GET', `/customers/${demo.customerId}/recommendations?status=pending`, { token: demo.token })).body
    const byGroup = new Map<string, Rec[]>()
    for (const r of list.filter((x) => x.validation_status === 'validated' && x.exclusive_group)) byGroup.set(r.exclusive_group!, [...(byGroup.get(r.exclusive_group!) ?? []), r])
    const pair = [...byGroup.values()].find((g) => g.length >= 2)
    return pair ? [pair[0]!, pair[1]!] as [Rec, Rec] : undefined
  }, { timeoutMs: 120_000, what: 'two validated alternatives in one exclusive group on the demo fleet' })
}

describe('a superseded approval in the portal', () => {
  it('refuses approving an alternative of a change approved meanwhile, and shows why', async () => {
    const [shown, other] = await alternatives()
    const ctx = await contextWithSession(browser, demo)
    const page = await ctx.newPage()
    const errors = watchErrors(page)
    await page.goto(`${p.url}/app/recommendations/${shown.id}`)
    await page.getByTestId('approve-button').waitFor()
    // meanwhile, someone approves the other way to change this deployment's capacity
    const approved = await p.http('POST', `/recommendations/${other.id}/approve`, { token: demo.token })
    expect(approved.status, JSON.stringify(approved.body)).toBe(200)
    // the live update may show the change before the user acts; if it has not, approving shows it
    const banner = page.getByTestId('superseded-banner')
    await page.getByTestId('approve-button').click({ timeout: 5_000 })
      .then(() => page.getByTestId('confirm-approve').click({ timeout: 5_000 }))
      .catch(async (e: unknown) => { if (!(await banner.isVisible())) throw e })
    await banner.waitFor({ timeout: 20_000 })
    expect(await banner.textContent()).toMatch(/Superseded/)
    expect(await page.getByTestId('approve-button').count()).toBe(0)
    const now = (await p.http('GET', `/recommendations/${shown.id}`, { token: demo.token })).body
    expect(now.status).toBe('superseded')
    expect(page.url()).toContain(`/app/recommendations/${shown.id}`)
    await shot(page, 'recommendation-superseded')
    expect(errors).toEqual([])
    await ctx.close()
  }, 240_000)
})
