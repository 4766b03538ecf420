/**
 * Issue 10 in the portal: a deployment the reconciler cannot keep alive shows as a red incident on
 * the overview, and a proposed SLO can be confirmed there. Fleet time is a manual clock (the
 * platform runs without its other workers; the test starts the reconciler service itself).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { manualClock, type ManualClock } from '../../server/clock.ts'
import { reconcilerService } from '../../server/reconciler/service.ts'
import type { Service } from '../../server/services.ts'
import { startTestPlatform, waitFor, type TestPlatform } from '../../server/test/platform.ts'
import { contextWithSession, launchBrowser, shot, watchErrors } from './support.ts'

let p: TestPlatform
let clock: ManualClock
let reconciler: Service
let browser: Browser
beforeAll(async () => {
  clock = manualClock(new Date('2026-03-02T09:00:00Z'))
  p = await startTestPlatform({ clock, workers: false, env: { OPTIINFRA_RECONCILER_INTERVAL_MS: '50', OPTIINFRA_RECONCILER_ONDEMAND_FLOOR: '1' } })
  reconciler = reconcilerService(p.deps)
  browser = await launchBrowser()
}, 120_000)
afterAll(async () => {
  await browser?.close()
  await reconciler?.stop()
  await p?.stop()
})

const MODEL = 'meta-llama/Meta-Llama-3-8B-Instruct'
const fleet = {
  instances: [
    { instance_id: 'solo-1', instance_type: 'g5.xlarge', region: 'us-east-1', pricing: 'spot', cloud: 'aws' },
    { instance_id: 'od-1', instance_type: 'g5.xlarge', region: 'us-east-1', pricing: 'on-demand', cloud: 'aws' },
  ],
  vllm_deployments: [
    { deployment_id: 'solo-spot', model: MODEL, instance_ids: ['solo-1'], requests_per_second: 1 },
    { deployment_id: 'steady', model: MODEL, instance_ids: ['od-1'], requests_per_second: 1, latency_critical: true },
  ],
}

describe('fleet health in the portal', () => {
  it('shows a dead deployment as a red incident, confirms a proposed SLO and declares a canary gate', async () => {
    const c = await p.newCustomer('Fleet Health Co')
    expect((await p.http('POST', `/customers/${c.customerId}/infrastructure`, { token: c.token, body: fleet })).status).toBe(201)
    const admin = { token: p.adminToken }
    await p.http('POST', '/admin/simulator/faults', { ...admin, body: { customer_id: c.customerId, deployment_id: 'solo-spot', kind: 'launch_failure' } })
    await reconciler.start()
    // the reconciler has taken the deployment in (its on-demand floor cannot launch) before it loses its capacity
    await waitFor(async () => (await p.http<any[]>('GET', `/customers/${c.customerId}/reconciler/actions`, { token: c.token })).body.some((a) => a.deployment_id === 'solo-spot' && a.status === 'failed'), { what: 'floor attempt' })
    await p.http('POST', '/admin/simulator/faults', { ...admin, body: { customer_id: c.customerId, deployment_id: 'solo-spot', kind: 'spot_interruption' } })
    clock.advance(120_000)
    await waitFor(async () => (await p.http<any[]>('GET', `/customers/${c.customerId}/incidents`, { token: c.token })).body.length > 0, { what: 'incident' })

    const ctx = await contextWithSession(browser, { token: c.token, role: 'customer', customerId: c.customerId, email: c.email })
    const page = await ctx.newPage()
    const errors = watchErrors(page)
    await page.goto(`${p.url}/app/overview`)
    const incident = page.getByTestId('incident')
    await expect.poll(() => incident.count(), { timeout: 20_000 }).toBe(1)
    expect(await incident.getAttribute('data-deployment')).toBe('solo-spot')
    expect(await incident.textContent()).toMatch(/down.*no instance of solo-spot is serving/)
    expect(await page.getByTestId('incidents').getAttribute('class')).toContain('banner-danger')
    await expect.poll(() => page.getByTestId('reconciler-actions').textContent(), { timeout: 20_000 }).toMatch(/solo-spot/)

    const steady = page.locator('[data-testid="slo-row"][data-deployment="steady"]')
    await expect.poll(() => steady.textContent(), { timeout: 20_000 }).toContain('proposed')
    await steady.getByTestId('slo-confirm').click()
    await expect.poll(() => steady.textContent(), { timeout: 20_000 }).toContain('declared')
    const slos = (await p.http<any[]>('GET', `/customers/${c.customerId}/slos`, { token: c.token })).body
    expect(slos.find((s) => s.deployment_id === 'steady')).toMatchObject({ source: 'declared' })
    expect(slos.find((s) => s.deployment_id === 'solo-spot')).toMatchObject({ source: 'proposed' })
    // the deployment's canary gates: declare the quality gate's tolerance in the portal, then return it to its default
    await steady.getByTestId('slo-gates').click()
    const quality = page.locator('[data-testid=gate-policies][data-deployment=steady] [data-testid=gate-policy][data-gate=quality]')
    await expect.poll(() => quality.getAttribute('data-source'), { timeout: 20_000 }).toBe('default')
    expect(await quality.getByTestId('gate-plan').textContent()).toMatch(/~[\d,]+ pairs, ~[\d,]+ min/)
    await quality.getByTestId('gate-edit').click()
    const editor = page.locator('[data-testid=gate-editor][data-gate=quality]')
    await editor.getByTestId('gate-tolerance').fill('3')
    await editor.getByTestId('gate-save').click()
    await expect.poll(() => quality.getAttribute('data-source'), { timeout: 20_000 }).toBe('declared')
    expect(await quality.getByTestId('gate-policy-tolerance').textContent()).toBe('3.0%')
    const declared = (await p.http<any>('GET', `/customers/${c.customerId}/deployments/steady/gates`, { token: c.token })).body
    expect(declared.gates.find((g: any) => g.gate === 'quality')).toMatchObject({ tolerance: 0.03, source: 'declared' })
    await shot(page, 'fleet-health-gates')
    await quality.getByTestId('gate-reset').click()
    await expect.poll(() => quality.getAttribute('data-source'), { timeout: 20_000 }).toBe('default')
    await shot(page, 'fleet-health-incident')
    expect(errors).toEqual([])
    await ctx.close()
  })
})
