/**
 * Issue 11 item 4 in the portal: a completed change's page says it is awaiting the bill, and once
 * the twin's bill is imported as FOCUS it shows the savings settled from the bill, the API's figure.
 */
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import type { BillSettlement } from '../../api/bills.ts'
import type { Service } from '../../server/services.ts'
import { startTestPlatform, type TestPlatform } from '../../server/test/platform.ts'
import { workflowService } from '../../server/workflows/service.ts'
import { completedSpotMigration, getOptimization, importTwinBill } from '../support/settled-change.ts'
import { contextWithSession, launchBrowser, shot, usdText, watchErrors } from './support.ts'

let p: TestPlatform
let worker: Service
let browser: Browser
beforeAll(async () => {
  p = await startTestPlatform({ workers: false, env: { OPTIINFRA_BILL_SETTLEMENT_HOURS: '1' } })
  worker = workflowService(p.deps, { pollMs: 100 })
  await worker.start()
  browser = await launchBrowser()
}, 120_000)
afterAll(async () => {
  await browser?.close()
  await worker?.stop()
  await p?.stop()
})

describe('bill settlement in the portal', () => {
  it('shows a completed change awaiting the bill, then the savings the imported FOCUS bill settles', async () => {
    const ch = await completedSpotMigration(p, 'Bill Portal Co')
    const ctx = await contextWithSession(browser, { token: ch.c.token, role: 'customer', customerId: ch.c.customerId, email: ch.c.email })
    const page = await ctx.newPage()
    const errors = watchErrors(page)
    await page.goto(`${p.url}/app/optimizations/${ch.id}`)
    const stat = page.getByTestId('bill-savings')
    await stat.waitFor({ timeout: 20_000 })
    expect(await page.getByTestId('bill-savings-value').textContent()).toBe('Awaiting the bill')
    expect(await stat.textContent()).toContain('no bill imported yet')

    await importTwinBill(p, ch)
    const s = (await getOptimization(p, ch.id, ch.c.token)).bill_settlement as Extract<BillSettlement, { status: 'settled' }>
    expect(s.status).toBe('settled')
    await page.reload()
    await expect.poll(() => page.getByTestId('bill-savings-value').textContent(), { timeout: 20_000 }).toBe(usdText(s.actual_savings))
    expect(await stat.textContent()).toContain(`$${s.before_hourly_usd.toFixed(2)}/h before → $${s.after_hourly_usd.toFixed(2)}/h after`)
    await shot(page, 'bill-settlement')
    // the overview's realized savings read the settled figure and say so
    await page.goto(`${p.url}/app/overview`)
    await expect.poll(() => page.getByTestId('stat-realized-savings-value').textContent(), { timeout: 20_000 }).toBe(usdText(s.actual_savings))
    expect(await page.getByTestId('stat-realized-savings').textContent()).toContain('all settled from the imported bill')
    expect(errors).toEqual([])
  }, 200_000)

  it('shows the spend of a fleet the provider does not run from its imported FOCUS bill', async () => {
    const c = await p.newCustomer('Bill Only Co')
    const sample = readFileSync(new URL('../../server/billing/fixtures/focus-1.0-sample.csv', import.meta.url), 'utf8')
    expect((await p.http('POST', `/customers/${c.customerId}/bills`, { token: c.token, body: sample, headers: { 'content-type': 'text/csv' } })).status).toBe(201)
    const d = (await p.http('GET', `/portal/customers/${c.customerId}/dashboard`, { token: c.token })).body
    expect(d.spend_source).toBe('imported_bill')
    const ctx = await contextWithSession(browser, { token: c.token, role: 'customer', customerId: c.customerId, email: c.email })
    const page = await ctx.newPage()
    const errors = watchErrors(page)
    await page.goto(`${p.url}/app/overview`)
    await expect.poll(() => page.getByTestId('stat-current-spend-value').textContent(), { timeout: 20_000 }).toBe(usdText(d.current_spend))
    expect(await page.getByTestId('stat-current-spend').textContent()).toContain(`From the imported bill: ${d.billed_day.day}`)
    expect(errors).toEqual([])
  }, 60_000)
})
