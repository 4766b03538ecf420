/**
 * Issue 11 item 3 in the portal: a customer connects the Prometheus that scrapes its fleet and its
 * kube-state-metrics from Settings; the card shows the source's health and, per deployment, the
 * model and the nodes serving it (instance type, capacity type, cloud instance id), as the
 * infrastructure API knows them. A bad URL is refused with its reason; disconnecting removes it.
 * Wall clock: Prometheus scrapes in wall time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { systemClock } from '../../server/clock.ts'
import { prometheusAvailable } from '../../server/test/prometheus-server.ts'
import { startTestPlatform, type TestPlatform } from '../../server/test/platform.ts'
import { prometheusOnFleet, type FleetPrometheus } from '../support/fleet-prometheus.ts'
import { contextWithSession, launchBrowser, shot, watchErrors } from './support.ts'

let p: TestPlatform
let fleetProm: FleetPrometheus | undefined
let browser: Browser
beforeAll(async () => {
  p = await startTestPlatform({ clock: systemClock, workers: false, env: { OPTIINFRA_TELEMETRY_ALLOW_PRIVATE: 'true' } })
  browser = await launchBrowser()
}, 120_000)
afterAll(async () => {
  await browser?.close()
  await fleetProm?.stop()
  await p?.stop()
})

const fleet = {
  instances: [
    { instance_id: 'i-spot-1', instance_type: 'g5.xlarge', region: 'us-east-1', pricing: 'spot', cloud: 'aws' },
    { instance_id: 'i-od-1', instance_type: 'g5.xlarge', region: 'us-east-1', pricing: 'on-demand', cloud: 'aws' },
  ],
  vllm_deployments: [{ deployment_id: 'chat', model: 'meta-llama/Meta-Llama-3-8B-Instruct', instance_ids: ['i-spot-1', 'i-od-1'], requests_per_second: 2 }],
}

describe('telemetry sources in the portal', () => {
  it.skipIf(!prometheusAvailable() && !process.env.CI)('connects a Prometheus and shows the deployments and nodes it found through kube-state-metrics', async () => {
    const c = await p.newCustomer('Prometheus Portal Co')
    expect((await p.http('POST', `/customers/${c.customerId}/infrastructure`, { token: c.token, body: fleet })).status).toBe(201)
    fleetProm = await prometheusOnFleet(p, c)
    const { prom } = fleetProm
    const infra = (await p.http('GET', `/customers/${c.customerId}/infrastructure`, { token: c.token })).body as { instances: { instance_id: string; instance_type: string; pricing: string }[]; vllm_deployments: { deployment_id: string; engine_config: { tensor_parallel_size: number } }[] }

    const ctx = await contextWithSession(browser, { token: c.token, role: 'customer', customerId: c.customerId, email: c.email })
    const page = await ctx.newPage()
    const errors = watchErrors(page)
    await page.goto(`${p.url}/app/settings`)
    const card = page.getByTestId('telemetry-sources')
    await card.getByText('No Prometheus connected').waitFor({ timeout: 20_000 })
    await card.getByText('Connect a Prometheus').click()

    await card.getByTestId('source-url').fill('ftp://prometheus.example.com')
    await card.getByTestId('connect-source').click()
    await expect.poll(() => card.getByRole('alert').textContent(), { timeout: 10_000 }).toMatch(/http/i)

    await card.getByTestId('source-url').fill(prom.url)
    await card.getByTestId('connect-source').click()
    const row = card.getByTestId('discovered-chat')
    await row.waitFor({ timeout: 20_000 })
    expect(await card.getByTestId('source-status').textContent()).toBe('Ok')
    const text = await row.textContent()
    expect(text).toContain('meta-llama/Meta-Llama-3-8B-Instruct')
    // what kube-state-metrics reported is what the provider bills: each instance, its type and capacity type
    for (const i of infra.instances) {
      expect(text).toContain(i.instance_id)
      expect(await row.getByTestId('node-summary').textContent()).toContain(`1 × ${i.instance_type} ${i.pricing}`)
    }
    expect(await card.getByTestId('inventory-drift').count()).toBe(0)
    expect(text).toContain('changes roll out')
    // the cloud terminates one: until the next poll the cluster still shows it, and the card says they disagree
    expect((await p.deps.cloud.terminateInstances({ changeId: 'drift-portal', customerId: c.customerId, instanceIds: ['i-spot-1'] })).ok).toBe(true)
    await page.reload()
    await expect.poll(() => card.getByTestId('inventory-drift').textContent(), { timeout: 20_000 }).toContain('Nodes the cloud inventory does not list: i-spot-1')
    await shot(page, 'telemetry-sources')

    // another account, whose fleet the cloud provider does not run, connects the same Prometheus: there the deployment is advice only
    const other = await p.newCustomer('Advisory Portal Co')
    expect((await p.http('POST', `/customers/${other.customerId}/telemetry-sources`, { token: other.token, body: { kind: 'prometheus', url: prom.url } })).status).toBe(201)
    const otherPage = await (await contextWithSession(browser, { token: other.token, role: 'customer', customerId: other.customerId, email: other.email })).newPage()
    const otherErrors = watchErrors(otherPage)
    await otherPage.goto(`${p.url}/app/settings`)
    const advisory = otherPage.getByTestId('telemetry-sources').getByTestId('discovered-chat').getByTestId('advisory')
    await advisory.waitFor({ timeout: 20_000 })
    expect(await advisory.textContent()).toContain('recommendations are for you to apply')
    // the engine it is judged on is the one its servers report in vllm:cache_config_info
    const running = infra.vllm_deployments.find((d) => d.deployment_id === 'chat')!.engine_config
    expect(await advisory.getByTestId('judged-engine').textContent()).toContain(`tensor parallel ${running.tensor_parallel_size}`)
    expect(await advisory.getByTestId('judged-engine').textContent()).toContain('reported by the fleet: gpu memory utilization, kv cache dtype, prefix caching, tensor parallel size')
    // its overview lists the deployment's SLO from the measured window, marked as seen through Prometheus
    await otherPage.goto(`${p.url}/app/overview`)
    const sloRow = otherPage.getByTestId('slo-table').getByRole('row', { name: /chat/ })
    await expect.poll(() => sloRow.getByTestId('slo-seen-via').count(), { timeout: 20_000 }).toBe(1)
    expect(await sloRow.textContent()).toMatch(/chat · via Prometheus\d/)
    expect(otherErrors).toEqual([])

    await card.getByRole('button', { name: 'Disconnect' }).click()
    await card.getByText('No Prometheus connected').waitFor({ timeout: 10_000 })
    expect((await p.http('GET', `/customers/${c.customerId}/telemetry-sources`, { token: c.token })).body).toEqual([])
    expect(errors.filter((e) => !/status of 400/.test(e))).toEqual([])
  }, 180_000)
})
