/**
 * Accounts and tenancy in the browser: login errors are shown, signup leads to onboarding, logout
 * ends the session, and a customer who opens another tenant's pages gets the designed 403 state
 * (the API refuses; the portal shows it), as does a customer opening the admin page.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { startTestPlatform, type TestPlatform } from '../../server/test/platform.ts'
import { contextWithSession, launchBrowser, loginThroughForm, shot, watchErrors, type SessionSpec } from './support.ts'

let p: TestPlatform
let browser: Browser
let alice: SessionSpec & { password: string; customerId: string }
let bob: SessionSpec & { customerId: string }

beforeAll(async () => {
  p = await startTestPlatform({ env: { OPTIINFRA_DEMO: 'true' } })
  browser = await launchBrowser()
  const a = await p.newCustomer('Alice Labs')
  const b = await p.newCustomer('Bob Industries')
  alice = { token: a.token, role: 'customer', customerId: a.customerId, email: a.email, password: a.password }
  bob = { token: b.token, role: 'customer', customerId: b.customerId, email: b.email }
}, 120_000)

afterAll(async () => {
  await browser?.close()
  await p?.stop()
})

/**
 * Alice with a token of her own: logging out (an earlier test does) revokes every token of the
 * user, so each test that needs her logged in gets a fresh one.
 */
async function aliceNow(): Promise<SessionSpec> {
  const login = await p.http<{ access_token: string }>('POST', '/auth/login', { body: { username: alice.email, password: alice.password } })
  expect(login.status, JSON.stringify(login.body)).toBe(200)
  return { ...alice, token: login.body.access_token }
}

describe('portal accounts and tenancy', () => {
  it('shows a clear error for a wrong password, then logs in and out', async () => {
    const ctx = await contextWithSession(browser, null)
    const page = await ctx.newPage()
    const errors = watchErrors(page)
    await page.goto(`${p.url}/`)
    await page.waitForURL('**/app/login**')
    await shot(page, 'login')
    await loginThroughForm(page, p.url, alice.email, 'wrong-password-1')
    await expect.poll(() => page.getByTestId('login-error').textContent()).toContain('incorrect')
    await shot(page, 'login-error')
    await loginThroughForm(page, p.url, alice.email, alice.password)
    await page.waitForURL('**/app/overview')
    await expect.poll(() => page.getByTestId('tenant-name').textContent()).toContain('Alice Labs')
    await page.getByTestId('logout').click()
    await page.waitForURL(/\/app\/login$/)
    // the login page ends the session once it is on screen
    await expect.poll(() => page.evaluate(() => localStorage.getItem('optiinfra.session'))).toBeNull()
    await page.goto(`${p.url}/app/history`)
    await page.waitForURL(/\/app\/login\?next=%2Fapp%2Fhistory$/)
    expect(errors).toEqual([])
    await ctx.close()
  })

  it('works from the keyboard alone, and keeps the dark-mode choice', async () => {
    const ctx = await contextWithSession(browser, null)
    const page = await ctx.newPage()
    await page.goto(`${p.url}/app/login`)
    // the email field has focus on arrival (once the app has rendered: 'load' can come first);
    // Tab reaches the password; Enter submits the form
    await page.waitForFunction(() => document.activeElement?.getAttribute('data-testid') === 'login-email')
    await page.keyboard.type(alice.email)
    await page.keyboard.press('Tab')
    await page.keyboard.type(alice.password)
    await page.keyboard.press('Enter')
    await page.waitForURL('**/app/overview')
    await page.locator('main h1').waitFor()
    // the first Tab lands on the skip link, which moves focus to the page content
    await page.keyboard.press('Tab')
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content')
    await page.keyboard.press('Enter')
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('main')
    // every interactive element is a real control: no clickable divs
    expect(await page.locator('div[onclick], span[onclick]').count()).toBe(0)
    const toggle = page.getByTestId('theme-toggle')
    await toggle.focus()
    await page.keyboard.press('Enter')
    const theme = await page.evaluate(() => document.documentElement.dataset.theme)
    expect(['dark', 'light']).toContain(theme)
    await page.reload()
    await page.locator('main h1').waitFor()
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe(theme)
    await ctx.close()
  })

  it('signs up a new customer and lands on onboarding', async () => {
    const ctx = await contextWithSession(browser, null)
    const page = await ctx.newPage()
    const errors = watchErrors(page)
    await page.goto(`${p.url}/app/signup`)
    await shot(page, 'signup')
    const email = `new-${process.pid}-${Date.now()}@example.com`
    await page.fill('[data-testid=signup-email]', email)
    await page.fill('[data-testid=signup-company]', 'Initech GPUs')
    await page.fill('[data-testid=signup-password]', 'short')
    await page.click('[data-testid=signup-submit]')
    await page.getByTestId('signup-error').waitFor()
    await page.fill('[data-testid=signup-password]', 'a-good-passw0rd')
    await page.click('[data-testid=signup-submit]')
    await page.waitForURL('**/app/settings?welcome=1')
    await page.getByTestId('welcome-banner').waitFor()
    await expect.poll(() => page.getByTestId('tenant-name').textContent()).toContain('Initech GPUs')
    await page.getByTestId('preferences-form').waitFor()
    await page.waitForLoadState('networkidle')
    await shot(page, 'settings-new-customer')

    // onboarding from the settings page: discovery status follows live, the install command carries a token
    await page.fill('[data-testid=onboard-identity]', 'arn:aws:iam::123456789012:role/OptiInfra')
    await page.click('[data-testid=onboard-submit]')
    await expect.poll(() => page.getByTestId('discovery-status').textContent(), { timeout: 60_000 }).toBe('Discovered')
    await page.click('[data-testid=generate-install-command]')
    const token = (await page.getByTestId('agent-token').textContent()) ?? ''
    expect(token.length).toBeGreaterThan(10)
    expect(await page.getByTestId('install-command-text').textContent()).toContain(token)
    await page.fill('[data-testid=pref-p95]', '900')
    await page.click('[data-testid=save-preferences]')
    await page.getByTestId('preferences-saved').waitFor()
    const me = (await p.http<{ customer_id: string }>('POST', '/auth/login', { body: { username: email, password: 'a-good-passw0rd' } })).body
    const saved = await p.http<{ preferences: { latency_slo_p95_ms?: number } }>('GET', `/customers/${me.customer_id}`, { token: (me as unknown as { access_token: string }).access_token })
    expect(saved.body.preferences.latency_slo_p95_ms).toBe(900)
    await shot(page, 'settings-onboarded')
    expect(errors).toEqual([])
    await ctx.close()
  }, 120_000)

  // Each page of another tenant: the API answers 403 and the portal shows the designed state.
  for (const [page, path] of [['settings', 'settings'], ['history', 'history'], ['overview', 'overview'], ['recommendations', 'recommendations'], ['cost dashboard', 'cost']] as const) {
    it(`refuses another tenant's ${page} page with a 403 state`, async () => {
      const ctx = await contextWithSession(browser, await aliceNow())
      const pg = await ctx.newPage()
      const errors = watchErrors(pg)
      await pg.goto(`${p.url}/app/${path}?customer=${bob.customerId}`)
      await pg.getByTestId('forbidden').first().waitFor({ timeout: 10_000 })
      expect(await pg.locator('body').textContent()).not.toContain('Bob Industries')
      if (path === 'overview') await shot(pg, 'forbidden')
      expect(errors).toEqual([])
      await ctx.close()
    })
  }

  it("refuses another tenant's optimization by id with a 403 state", async () => {
    // a real optimization of the demo customer, opened by Alice
    const demo = p.credentials.find((c) => c.role === 'customer')!
    const opts = await p.http<{ id: string }[]>('GET', `/customers/${demo.customerId}/optimizations`, { token: p.adminToken })
    expect(opts.status, 'GET /customers/{id}/optimizations').toBe(200)
    const ctx = await contextWithSession(browser, await aliceNow())
    const pg = await ctx.newPage()
    const target = opts.body[0]?.id
    if (!target) {
      // no optimization exists yet on a fresh demo: the recommendation route must refuse instead
      const recs = await p.http<{ id: string }[]>('GET', `/customers/${demo.customerId}/recommendations`, { token: p.adminToken })
      expect(recs.status, 'GET /customers/{id}/recommendations').toBe(200)
      expect(recs.body.length, 'the demo fleet has recommendations').toBeGreaterThan(0)
      await pg.goto(`${p.url}/app/recommendations/${recs.body[0]!.id}`)
    } else {
      await pg.goto(`${p.url}/app/optimizations/${target}`)
    }
    await pg.getByTestId('forbidden').waitFor({ timeout: 10_000 })
    await ctx.close()
  })

  it('shows the admin page to admins only', async () => {
    const ctx = await contextWithSession(browser, bob)
    const pg = await ctx.newPage()
    await pg.goto(`${p.url}/app/admin`)
    await pg.getByTestId('forbidden').waitFor()
    expect(await pg.getByTestId('nav-admin').count()).toBe(0)
    await ctx.close()
  })
})
