/**
 * Shared helpers for the portal's browser tests: Debian's Chromium driven by playwright-core,
 * sessions injected the way the portal stores them, screenshots under reports/screenshots/, and
 * an explicit check that an endpoint exists so a missing backend piece fails with a clear message.
 */
import path from 'node:path'
import { afterAll, beforeAll } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import type { TestPlatform } from '../../server/test/platform.ts'

export { SCREENSHOTS, launchBrowser, contextWithSession, type SessionSpec } from './chromium.ts'
import { SCREENSHOTS, launchBrowser, type SessionSpec } from './chromium.ts'

/** Logs in the demo customer that demo mode creates (its one-time password comes from the start banner). */
export async function loginDemoCustomer(p: TestPlatform): Promise<SessionSpec & { password: string; customerId: string }> {
  const cred = p.credentials.find((c) => c.role === 'customer')
  if (!cred?.customerId) throw new Error('demo mode created no demo customer')
  const login = await p.http<{ access_token: string }>('POST', '/auth/login', { body: { username: cred.email, password: cred.password } })
  return { token: login.body.access_token, role: 'customer', customerId: cred.customerId, email: cred.email, password: cred.password }
}

/** Collects uncaught page errors so a test can assert the SPA never crashed. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = []
  page.on('pageerror', (e) => errors.push(e.message))
  return errors
}

/** Saves a full-page screenshot as reports/screenshots/<name>.png. */
export async function shot(page: Page, name: string): Promise<void> {
  // from the top, so the sticky header and sidebar are drawn where they belong in a full-page capture
  await page.evaluate(() => window.scrollTo(0, 0))
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true })
}

/** Logs in through the login form. */
export async function loginThroughForm(page: Page, baseUrl: string, email: string, password: string): Promise<void> {
  await page.goto(`${baseUrl}/app/login`)
  await page.fill('[data-testid=login-email]', email)
  await page.fill('[data-testid=login-password]', password)
  await page.click('[data-testid=login-submit]')
}

/** Throws a clear "backend missing" error when the platform has no route for `method path`. */
export async function requireEndpoint(p: TestPlatform, method: string, pathname: string, token: string, body?: unknown): Promise<void> {
  const res = await p.http(method, pathname, { token, body })
  const missing = res.status === 404 && typeof res.body === 'object' && res.body !== null && /route .* not found/i.test(String((res.body as { message?: string }).message))
  if (missing) throw new Error(`backend endpoint missing: ${method} ${pathname.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, '{id}')} (404 route not found)`)
}

/** "$48,211" → 48211 (reads a figure the portal rendered). */
export function dollars(text: string | null): number {
  const n = Number((text ?? '').replace(/[^0-9.-]/g, ''))
  if (!Number.isFinite(n) || !/[0-9]/.test(text ?? '')) throw new Error(`not a dollar figure: ${JSON.stringify(text)}`)
  return n
}

/** The portal's own currency formatting (same Intl options), to compare UI text with API values. */
export function usdText(v: number): string {
  const opts: Intl.NumberFormatOptions = Math.abs(v) < 100
    ? { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 2 }
    : { style: 'currency', currency: 'USD', maximumFractionDigits: 0 }
  return new Intl.NumberFormat('en-US', opts).format(v)
}

/** A platform and a browser for the file's tests: started before them, closed after. */
export function platformWithBrowser<P extends TestPlatform>(start: () => Promise<P>): { platform: () => P; browser: () => Browser } {
  let p: P | undefined
  let b: Browser | undefined
  beforeAll(async () => {
    p = await start()
    b = await launchBrowser()
  }, 120_000)
  afterAll(async () => {
    await b?.close()
    await p?.stop()
  })
  return { platform: () => p!, browser: () => b! }
}
