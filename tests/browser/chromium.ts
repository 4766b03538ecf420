/**
 * Debian's Chromium driven by playwright-core, and sessions injected the way the portal stores
 * them. Free of the test runner, so the benchmarks drive the same browser the browser tests do.
 */
import { existsSync, mkdirSync } from 'node:fs'
import path from 'node:path'
import { chromium, type Browser, type BrowserContext } from 'playwright-core'

export const SCREENSHOTS = path.resolve('reports/screenshots')
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

/** Launches headless Chromium (fails with a hint when it is not installed). */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`)
  if (!existsSync(path.resolve('portal/dist/index.html'))) throw new Error('portal/dist is missing: run `npm run build:portal` first (npm run test:browser does)')
  mkdirSync(SCREENSHOTS, { recursive: true })
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  })
}

/** A logged-in user, as the portal keeps it in localStorage. */
export interface SessionSpec { token: string; role: 'admin' | 'customer'; customerId: string | null; email: string }

/** A browser context whose pages start logged in (the portal's session key set before any script runs). */
export async function contextWithSession(browser: Browser, s: SessionSpec | null, opts: { width?: number; dark?: boolean; bypassCSP?: boolean } = {}): Promise<BrowserContext> {
  const ctx = await browser.newContext({ viewport: { width: opts.width ?? 1280, height: 900 }, colorScheme: opts.dark ? 'dark' : 'light', bypassCSP: opts.bypassCSP ?? false })
  if (s) {
    const value = JSON.stringify({ ...s, expiresAt: Date.now() + 3_600_000 })
    await ctx.addInitScript((v) => { if (!localStorage.getItem('optiinfra.session')) localStorage.setItem('optiinfra.session', v) }, value)
  }
  return ctx
}

