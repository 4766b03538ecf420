/**
 * Accessibility: axe-core on every page of the portal — signed out, as a customer of the demo fleet
 * (detail pages included) and as an admin, plus the 404 and 403 states — in light and dark, at
 * 1440 and 768 px. No serious or critical violation is allowed; minor and moderate ones are printed
 * when OPTIINFRA_AXE_VERBOSE is set. The context bypasses the portal's CSP only so the axe script
 * can be injected; the pages themselves run as users get them.
 */
import { createRequire } from 'node:module'
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { startTestPlatform, waitFor, type TestPlatform } from '../../server/test/platform.ts'
import { contextWithSession, launchBrowser, loginDemoCustomer, type SessionSpec } from './support.ts'

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')
const BLOCKING = new Set(['serious', 'critical'])

interface Violation { id: string; impact: string | null; help: string; nodes: { target: unknown[] }[] }
interface PageCheck { path: string; ready: string }

let p: TestPlatform
let browser: Browser
let customer: SessionSpec
let admin: SessionSpec
const detail: { recommendation?: string; optimization?: string } = {}

beforeAll(async () => {
  p = await startTestPlatform({ env: { OPTIINFRA_DEMO: 'true' } })
  browser = await launchBrowser()
  customer = await loginDemoCustomer(p)
  admin = { token: p.adminToken, role: 'admin', customerId: null, email: 'admin@optiinfra.local' }
  // a recommendation to open, and an optimization (approving one) so both detail pages are checked
  const recs = await waitFor(async () => {
    const r = await p.http<{ id: string }[]>('GET', `/customers/${customer.customerId}/recommendations?status=pending`, { token: customer.token })
    return r.status === 200 && r.body.length >= 2 ? r.body : undefined
  }, { timeoutMs: 90_000 })
  detail.recommendation = recs[0]!.id
  const approved = await p.http<{ optimization_id?: string }>('POST', `/recommendations/${recs[1]!.id}/approve`, { token: customer.token, body: {} })
  detail.optimization = approved.body.optimization_id
}, 180_000)

afterAll(async () => {
  await browser?.close()
  await p?.stop()
})

/** Runs axe on the page as it is and returns the violations. */
async function axe(page: Page): Promise<Violation[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ content: AXE_SOURCE })
  return page.evaluate(async () => {
    const w = window as unknown as { axe: { run: (ctx: Document, o: object) => Promise<{ violations: Violation[] }> } }
    return (await w.axe.run(document, { resultTypes: ['violations'] })).violations
  })
}

function customerPages(): PageCheck[] {
  const main = ['overview', 'cost', 'performance', 'resources', 'quality', 'recommendations', 'history', 'conflicts', 'settings']
  const pages = main.map((name) => ({ path: `/app/${name}`, ready: 'h1' }))
  if (detail.recommendation) pages.push({ path: `/app/recommendations/${detail.recommendation}`, ready: 'h1' })
  if (detail.optimization) pages.push({ path: `/app/optimizations/${detail.optimization}`, ready: 'h1' })
  return [...pages, { path: '/app/no-such-page', ready: 'h1' }, { path: '/app/admin', ready: 'h1' }]
}

/** Visits each page and collects its blocking violations, keyed by page. */
async function audit(who: string, session: SessionSpec | null, pages: PageCheck[], opts: { width: number; dark: boolean }): Promise<Record<string, string[]>> {
  const ctx = await contextWithSession(browser, session, { ...opts, bypassCSP: true })
  const page = await ctx.newPage()
  const found: Record<string, string[]> = {}
  for (const { path, ready } of pages) {
    await page.goto(`${p.url}${path}`)
    await page.waitForSelector(ready, { timeout: 30_000 })
    await page.waitForLoadState('networkidle').catch(() => undefined)
    const violations = await axe(page)
    if (process.env.OPTIINFRA_AXE_VERBOSE) console.log(`[axe] ${path} ${opts.width}px ${opts.dark ? 'dark' : 'light'}: ${JSON.stringify(violations.map((v) => [v.id, v.impact, v.nodes.map((n) => n.target)]))}`)
    const blocking = violations.filter((v) => BLOCKING.has(v.impact ?? ''))
    if (blocking.length) found[`${who} ${path}`] = blocking.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => JSON.stringify(n.target)).join(', ')}`)
  }
  await ctx.close()
  return found
}

const VARIANTS = [1440, 768].flatMap((width) => [false, true].map((dark) => ({ width, dark })))

describe('accessibility (axe-core)', () => {
  for (const v of VARIANTS) {
    const label = `${v.width}px ${v.dark ? 'dark' : 'light'}`
    it(`no serious or critical violation on any page, ${label}`, async () => {
      const signedOut = await audit('signed out', null, [{ path: '/app/login', ready: 'h1' }, { path: '/app/signup', ready: 'h1' }], v)
      const asCustomer = await audit('customer', customer, customerPages(), v)
      const asAdmin = await audit('admin', admin, [{ path: '/app/admin', ready: 'h1' }], v)
      expect({ ...signedOut, ...asCustomer, ...asAdmin }).toEqual({})
    }, 240_000)
  }
})
