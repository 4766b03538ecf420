/**
 * Issue 14: a lazy page whose script cannot be downloaded (a network blip, or a restart that
 * changed file names) recovers by reloading once; when the script stays unreachable the route's
 * error element explains it, instead of React Router's "Unexpected Application Error!".
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { startTestPlatform, type TestPlatform } from '../../server/test/platform.ts'
import { contextWithSession, launchBrowser, shot, type SessionSpec } from './support.ts'

let p: TestPlatform
let browser: Browser
let session: SessionSpec

beforeAll(async () => {
  p = await startTestPlatform({ workers: false })
  browser = await launchBrowser()
  const c = await p.newCustomer('Chunk Co')
  session = { token: c.token, role: 'customer', customerId: c.customerId, email: c.email }
}, 120_000)

afterAll(async () => {
  await browser?.close()
  await p?.stop()
})

/** Fails the history page's script `failures` times (Infinity: always); returns how many were failed. */
async function failHistoryChunk(page: Page, failures: number): Promise<() => number> {
  let failed = 0
  await page.route(/\/assets\/history-[^/]*\.js$/, async (route) => {
    if (route.request().resourceType() === 'script' && failed < failures) { failed++; await route.abort('internetdisconnected') } else await route.continue()
  })
  return () => failed
}

async function openHistoryFromOverview(page: Page): Promise<void> {
  await page.goto(`${p.url}/app/overview`)
  await page.locator('a[href="/app/history"]').first().click()
}

describe('chunk-load failures', () => {
  it('reload once and show the page when the script is back', async () => {
    const page = await (await contextWithSession(browser, session)).newPage()
    const failed = await failHistoryChunk(page, 1)
    let loads = 0
    page.on('load', () => { loads++ })
    await openHistoryFromOverview(page)
    await page.getByTestId('history-page').waitFor({ timeout: 30_000 })
    expect(failed()).toBe(1)
    expect(loads).toBe(2) // the overview, then the one automatic reload
    expect(page.url()).toContain('/app/history')
    expect(await page.getByText('Unexpected Application Error').count()).toBe(0)
    await page.context().close()
  })

  it('explain the failure, with a reload button, when the script stays unreachable', async () => {
    const page = await (await contextWithSession(browser, session)).newPage()
    const failed = await failHistoryChunk(page, Infinity)
    await openHistoryFromOverview(page)
    await page.getByTestId('route-error').waitFor({ timeout: 30_000 })
    expect(failed()).toBe(2) // the first failure reloaded once; the second is shown, not reloaded again
    expect(await page.getByTestId('route-error').textContent()).toContain('could not be downloaded')
    expect(await page.getByRole('button', { name: 'Reload' }).count()).toBe(1)
    expect(await page.getByText('Unexpected Application Error').count()).toBe(0)
    await shot(page, 'chunk-load-error')
    await page.context().close()
  })
})
