/**
 * Simulation is visible: every page of a customer on the simulator says so and states the fleet
 * clock against the wall clock; the API that feeds it keeps tenants apart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { startTestPlatform, type TestPlatform } from '../../server/test/platform.ts'
import { contextWithSession, launchBrowser, shot, watchErrors } from './support.ts'

let p: TestPlatform
let browser: Browser
beforeAll(async () => {
  p = await startTestPlatform({ env: { OPTIINFRA_TIME_SCALE: '60' } })
  browser = await launchBrowser()
}, 120_000)
afterAll(async () => {
  await browser?.close()
  await p?.stop()
})

describe('simulation is visible', () => {
  it('the environment API says simulated, with the fleet clock ahead of the wall clock at ×60; other tenants are refused', async () => {
    const a = await p.newCustomer('Sim Visible A')
    const b = await p.newCustomer('Sim Visible B')
    const env = await p.http('GET', `/customers/${a.customerId}/environment`, { token: a.token })
    expect(env.status).toBe(200)
    expect(env.body).toMatchObject({ simulated: true, provider: 'simulator', time_scale: 60 })
    expect(Date.parse(env.body.fleet_time)).toBeGreaterThanOrEqual(Date.parse(env.body.wall_time) - 1000)
    expect((await p.http('GET', `/customers/${a.customerId}/environment`, { token: b.token })).status).toBe(403)
  })

  it('every customer page carries the banner with both clocks', async () => {
    const c = await p.newCustomer('Sim Visible Pages')
    const ctx = await contextWithSession(browser, { token: c.token, role: 'customer', customerId: c.customerId, email: c.email })
    const page = await ctx.newPage()
    const errors = watchErrors(page)
    for (const path of ['overview', 'cost', 'recommendations', 'history', 'settings']) {
      await page.goto(`${p.url}/app/${path}`)
      const banner = page.getByTestId('simulation-banner')
      await expect.poll(() => banner.textContent(), { timeout: 20_000 }).toContain('Simulated fleet')
      expect(await banner.textContent()).toMatch(/×60: fleet clock .+, wall clock .+/)
    }
    await shot(page, 'simulation-banner')
    expect(errors).toEqual([])
    await ctx.close()
  })
})
