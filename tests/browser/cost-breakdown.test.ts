/**
 * Issue 14 item 5 and issue 10 item 8 in the portal: the Cost dashboard splits the bill by
 * deployment, shows an instance that serves nothing as its own idle line (the per-deployment split
 * used to drop it), prices a million tokens where telemetry counts them, its rows add up to the
 * total, and the idle instance can be terminated there. Fleet time is a manual clock.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import type { SpendBreakdown, SpendHistory } from '../../api/spend.ts'
import { manualClock } from '../../server/clock.ts'
import { IDLE_GRACE_MS } from '../../server/idle/idle.ts'
import { startTestPlatform, type TestPlatform } from '../../server/test/platform.ts'
import { contextWithSession, launchBrowser, shot, watchErrors } from './support.ts'

let p: TestPlatform
let browser: Browser
const clock = manualClock(new Date('2026-03-02T09:00:00Z'))
beforeAll(async () => {
  p = await startTestPlatform({ clock, workers: false })
  browser = await launchBrowser()
}, 120_000)
afterAll(async () => {
  await browser?.close()
  await p?.stop()
})

const fleet = {
  instances: [
    { instance_id: 'i-chat', instance_type: 'p4d.24xlarge', region: 'us-east-1', pricing: 'on-demand', gpu_type: 'A100', gpu_count: 8 },
    { instance_id: 'i-spare', instance_type: 'g5.xlarge', region: 'us-east-1', pricing: 'on-demand', gpu_type: 'A10G', gpu_count: 1 },
  ],
  vllm_deployments: [{ deployment_id: 'chat', model: 'meta-llama/Llama-3-70B', instance_ids: ['i-chat'], requests_per_second: 20 }],
}

/** Dollars as the portal prints them, back to a number. */
const dollars = (text: string | null) => Number((text ?? '').replace(/[^0-9.-]/g, ''))

describe('cost breakdown in the portal', () => {
  it('shows idle capacity and cost per million tokens, its rows add up to the bill, and the idle box can be terminated', async () => {
    const c = await p.newCustomer('Idle Box Co')
    const reg = await p.http('POST', `/customers/${c.customerId}/infrastructure`, { token: c.token, body: fleet })
    expect(reg.status, JSON.stringify(reg.body)).toBe(201)
    clock.advance(IDLE_GRACE_MS + 60_000)
    const now = p.deps.clock.now()
    for (const [type, value] of [['prompt_tokens_per_sec', 600], ['generation_tokens_per_sec', 400]] as const) {
      await p.deps.db.query(`INSERT INTO deployment_metrics (customer_id, deployment_id, "group", metric_type, ts, value) VALUES ($1, 'chat', 'stable', $2, $3, $4)`, [c.customerId, type, new Date(now.getTime() - 60_000), value])
    }
    const spend = (await p.http<SpendBreakdown>('GET', `/customers/${c.customerId}/spend`, { token: c.token })).body
    const idle = spend.deployments.find((d) => d.deployment_id === null)!
    expect(idle.monthly_usd).toBeGreaterThan(0)

    const ctx = await contextWithSession(browser, { token: c.token, role: 'customer', customerId: c.customerId, email: c.email })
    const page = await ctx.newPage()
    const errors = watchErrors(page)
    await page.goto(`${p.url}/app/cost`)
    const idleRow = page.getByTestId('breakdown-idle-row')
    await expect.poll(() => idleRow.count(), { timeout: 20_000 }).toBe(1)
    expect(await idleRow.textContent()).toMatch(/Idle capacity/)
    // whole dollars above $100: off by at most the rounding
    expect(Math.abs(dollars(await page.getByTestId('idle-monthly').textContent()) - idle.monthly_usd)).toBeLessThanOrEqual(0.51)

    const chat = page.getByTestId('breakdown-row').filter({ hasText: 'chat' })
    const perMillion = dollars(await chat.getByTestId('per-million-tokens').textContent())
    expect(perMillion).toBeGreaterThan(0)
    expect(perMillion).toBeCloseTo(spend.deployments.find((d) => d.deployment_id === 'chat')!.usd_per_million_tokens!, 1)

    const rows = dollars(await chat.getByTestId('deployment-monthly').textContent()) + dollars(await page.getByTestId('idle-monthly').textContent())
    const total = dollars(await page.getByTestId('breakdown-total-monthly').textContent())
    expect(Math.abs(rows - total)).toBeLessThanOrEqual(1.5)
    await shot(page, 'cost-breakdown-idle')

    // cost over time: the same bill per day (7 days by default), then per hour over the last day
    const history = (await p.http<SpendHistory>('GET', `/customers/${c.customerId}/spend/history?days=7`, { token: c.token })).body
    expect(history.total_usd).toBeGreaterThan(0)
    await expect.poll(() => page.getByTestId('spend-history-chart').getAttribute('data-points'), { timeout: 20_000 }).toBe('7')
    expect(Math.abs(dollars(await page.getByTestId('spend-history-total').textContent()) - history.total_usd)).toBeLessThanOrEqual(0.01)
    const historyRows = page.getByTestId('spend-history-row')
    expect(await historyRows.evaluateAll((rs) => rs.map((r) => r.getAttribute('data-deployment')))).toEqual(history.deployments.map((d) => d ?? ''))
    await page.getByTestId('spend-window-1').click()
    await expect.poll(() => page.getByTestId('spend-history-chart').getAttribute('data-points'), { timeout: 20_000 }).toBe('24')
    await page.getByTestId('spend-history').scrollIntoViewIfNeeded()
    await shot(page, 'cost-over-time')

    const idleCard = page.locator('[data-testid="idle-row"][data-instance="i-spare"]')
    await expect.poll(() => idleCard.count(), { timeout: 20_000 }).toBe(1)
    await idleCard.getByTestId('idle-terminate').click()
    await page.getByTestId('idle-terminate-confirm').click()
    await expect.poll(() => page.getByTestId('idle-row').count(), { timeout: 20_000 }).toBe(0)
    // a minute of fleet time later the bill has no running line for it
    clock.advance(60_000)
    await page.reload()
    await expect.poll(() => page.getByTestId('breakdown-total-monthly').count(), { timeout: 20_000 }).toBe(1)
    expect(await page.getByTestId('breakdown-idle-row').count()).toBe(0)
    const audit = (await p.http<{ action: string; actor: string }[]>('GET', `/customers/${c.customerId}/audit?subject_id=i-spare`, { token: c.token })).body
    expect(audit.filter((a) => a.action === 'instance:terminated').map((a) => a.actor)).toEqual([expect.stringMatching(/^user:/)])
    expect(errors).toEqual([])
    await ctx.close()
  })

  it('marks a deployment the agents leave alone after a change as settling, with the reason, until enough telemetry after it exists', async () => {
    const c = await p.newCustomer('Settling Co')
    const reg = await p.http('POST', `/customers/${c.customerId}/infrastructure`, { token: c.token, body: { ...fleet, instances: [fleet.instances[0]!] } })
    expect(reg.status, JSON.stringify(reg.body)).toBe(201)
    // an optimization of 'chat' that ended a minute ago, as the workflow leaves it
    const ended = new Date(p.deps.clock.now().getTime() - 60_000)
    await p.deps.db.query(
      `INSERT INTO workflow_runs (kind, customer_id, status, phase, context, created_by, created_at, started_at, completed_at, updated_at, next_run_at)
       VALUES ('optimization', $1, 'completed', 'finish', '{"deployment_id":"chat"}', 'test', $2, $2, $3, $3, $3)`, [c.customerId, new Date(ended.getTime() - 600_000), ended])
    const ctx = await contextWithSession(browser, { token: c.token, role: 'customer', customerId: c.customerId, email: c.email })
    const page = await ctx.newPage()
    const errors = watchErrors(page)
    await page.goto(`${p.url}/app/cost`)
    const badge = page.getByTestId('breakdown-row').filter({ hasText: 'chat' }).getByTestId('deployment-settling')
    await expect.poll(() => badge.count(), { timeout: 20_000 }).toBe(1)
    expect(await badge.getAttribute('title')).toMatch(/Agents judge it again from .*5 minutes of telemetry after it are needed/)
    clock.advance(5 * 60_000)
    await page.reload()
    await expect.poll(() => page.getByTestId('breakdown-row').count(), { timeout: 20_000 }).toBe(1)
    expect(await badge.count()).toBe(0)
    expect(errors).toEqual([])
    await ctx.close()
  })
})
