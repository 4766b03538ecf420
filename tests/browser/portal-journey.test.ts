/**
 * The portal's main journey in a real browser against a real platform on the demo fleet:
 * log in → the overview shows spend → open a spot recommendation → approve (confirm) → the seven
 * steps complete live over the WebSocket → spend on the overview drops; a quality fault makes the
 * next rollout roll back and the page shows why; first load of the overview is timed; every page
 * is screenshotted to reports/screenshots/.
 */
import { writeFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { startTestPlatform, waitFor, type TestPlatform } from '../../server/test/platform.ts'
import { ms } from '../../portal/src/lib/format.ts'
import { contextWithSession, dollars, launchBrowser, loginDemoCustomer, loginThroughForm, requireEndpoint, shot, usdText, watchErrors, type SessionSpec } from './support.ts'

const SPOT_STEPS = ['create_spot_instances', 'deploy_canary', 'validate_canary', 'scale_to_50_percent', 'validate_50_percent', 'full_migration', 'terminate_ondemand']

interface Rec { id: string; type: string; status: string; deployment_id: string | null; estimated_savings: number }

let p: TestPlatform
let browser: Browser
let demo: SessionSpec & { password: string; customerId: string }

async function pendingRecs(type?: string): Promise<Rec[]> {
  const q = type ? `?status=pending&type=${type}` : '?status=pending'
  const res = await p.http<Rec[]>('GET', `/customers/${demo.customerId}/recommendations${q}`, { token: demo.token })
  return res.status === 200 ? res.body : []
}

async function dashboard(): Promise<{ current_spend: number; realized_savings: number; recommendations: { validated: boolean }[] }> {
  const res = await p.http('GET', `/portal/customers/${demo.customerId}/dashboard`, { token: demo.token })
  expect(res.status).toBe(200)
  return res.body
}

async function spendShown(page: Page): Promise<number> {
  const el = page.getByTestId('stat-current-spend-value')
  await expect.poll(async () => /\$\d/.test((await el.textContent()) ?? ''), { timeout: 15_000 }).toBe(true)
  return dollars(await el.textContent())
}

beforeAll(async () => {
  p = await startTestPlatform({ env: { OPTIINFRA_DEMO: 'true' } })
  browser = await launchBrowser()
  demo = await loginDemoCustomer(p)
}, 120_000)

afterAll(async () => {
  await browser?.close()
  await p?.stop()
})

describe('portal journey (demo fleet)', () => {
  it('loads the overview with its figures (navigation start → figures visible; the 1 s target is measured by npm run bench -- latency)', async () => {
    await requireEndpoint(p, 'GET', `/portal/customers/${demo.customerId}/dashboard`, demo.token)
    // measured on the demo data once the agents have analysed it (not while the platform is still booting)
    await waitFor(async () => (await dashboard()).recommendations.some((r) => r.validated), { timeoutMs: 90_000, what: 'the demo fleet analysed (a validated recommendation on the dashboard)' })
    // a user's browser is already running: start Chromium's renderer once (own context, so no cache is shared)
    const warm = await contextWithSession(browser, null)
    await (await warm.newPage()).goto(`${p.url}/app/login`)
    await warm.close()
    // five cold loads (fresh context: empty cache and storage each time); the median is the figure
    const loads: number[] = []
    for (let i = 0; i < 5; i++) {
      const ctx = await contextWithSession(browser, demo)
      const page = await ctx.newPage()
      const errors = watchErrors(page)
      await page.goto(`${p.url}/app/overview`)
      await page.waitForFunction(() => /\$\d/.test(document.querySelector('[data-testid=stat-current-spend-value]')?.textContent ?? ''), undefined, { timeout: 10_000 })
      // the portal marks the commit of the overview's figures; navigation start is performance's time origin
      const mark = await page.evaluate(() => performance.getEntriesByName('optiinfra:overview-figures')[0]?.startTime)
      expect(mark, 'the overview sets its figures mark').toBeTypeOf('number')
      loads.push(mark!)
      const api = await dashboard()
      expect(Math.abs(dollars(await page.getByTestId('stat-current-spend-value').textContent()) - api.current_spend)).toBeLessThanOrEqual(Math.max(1, api.current_spend * 0.02))
      expect(errors).toEqual([])
      await ctx.close()
    }
    const median = [...loads].sort((a, b) => a - b)[2]!
    console.log(`[browser] overview first load: median ${median.toFixed(0)} ms of 5 cold loads (${loads.map((x) => x.toFixed(0)).join(', ')} ms; navigation start → figures in the DOM)`)
    writeFileSync('reports/portal-first-load.json', `${JSON.stringify({ median_ms: Math.round(median), loads_ms: loads.map(Math.round), budget_ms: 1000 }, null, 2)}\n`)
    // a sanity bound that holds on a loaded 2-core machine; the timing claim itself is a benchmark
    expect(median).toBeLessThan(5000)
  })

  it('log in → spot recommendation → approve → steps complete live → spend drops on the overview', async () => {
    const ctx = await contextWithSession(browser, null)
    const page = await ctx.newPage()
    const errors = watchErrors(page)
    await loginThroughForm(page, p.url, demo.email, demo.password)
    await page.waitForURL('**/app/overview')
    await requireEndpoint(p, 'GET', `/portal/customers/${demo.customerId}/dashboard`, demo.token)
    const spendBefore = await spendShown(page)
    await shot(page, 'journey-overview-before')

    await requireEndpoint(p, 'GET', `/customers/${demo.customerId}/recommendations`, demo.token)
    const spot = (await waitFor(async () => (await pendingRecs('spot_migration')).sort((a, b) => b.estimated_savings - a.estimated_savings)[0], { timeoutMs: 60_000, what: 'a pending spot_migration recommendation on the demo fleet' }))
    // the customer declares the deployment's quality gate: the approve dialog plans with it and the rollout is judged by it
    const gates = `/customers/${demo.customerId}/deployments/${spot.deployment_id}/gates`
    expect((await p.http('PUT', `${gates}/quality`, { token: demo.token, body: { tolerance: 0.02, alpha: 0.05, min_samples: 30, max_samples: 500 } })).status).toBe(200)
    await page.getByTestId('nav-recommendations').click()
    await page.getByTestId('f-type').selectOption('spot_migration')
    await page.locator(`[data-testid=rec-row][data-id="${spot.id}"]`).waitFor()
    await shot(page, 'journey-recommendations-spot')
    await page.locator(`[data-testid=rec-row][data-id="${spot.id}"] [data-testid=rec-link]`).click()
    await page.getByTestId('recommendation-detail').waitFor()
    expect(await page.getByTestId('rec-savings-value').textContent()).toBe(usdText(spot.estimated_savings))
    await page.getByTestId('validation-row').first().waitFor()
    await shot(page, 'recommendation-detail')

    await page.locator('[data-testid=live-status][data-state=open]').waitFor({ timeout: 10_000 })
    // the confirmation is a real modal: Escape dismisses it without approving
    await page.getByTestId('approve-button').click()
    await page.getByTestId('confirm-approve').waitFor()
    await page.keyboard.press('Escape')
    await page.getByTestId('confirm-approve').waitFor({ state: 'hidden' })
    expect(await page.getByTestId('recommendation-detail').getAttribute('data-status')).toBe('pending')
    await page.getByTestId('approve-button').click()
    await page.getByTestId('confirm-approve').waitFor()
    // before the canary starts: what each gate needs, from the record just declared
    const planned = (await p.http<any>('GET', gates, { token: demo.token })).body.plan.lines.find((l: any) => l.gate === 'quality')
    await expect.poll(() => page.locator('[data-testid=canary-plan] [data-gate=quality]').textContent(), { timeout: 15_000 })
      .toMatch(new RegExp(`2\\.0% tolerated\\): this canary needs ~${planned.needs.toLocaleString('en-US')} pairs`))
    await shot(page, 'approve-dialog')
    await page.getByTestId('confirm-approve').click()
    await page.waitForURL('**/app/optimizations/**')
    const spotOptimizationId = page.url().split('/app/optimizations/')[1]!.split(/[?#]/)[0]!
    await page.evaluate(() => { (window as unknown as { __sameDocument: boolean }).__sameDocument = true })

    // each step turns completed on the open page: live hints drive the refetches, no reload
    for (const name of SPOT_STEPS) {
      await page.locator(`[data-testid=step-row][data-name=${name}][data-status=completed]`).waitFor({ timeout: 120_000 })
    }
    expect(await page.locator('[data-testid=step-row]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-name')))).toEqual(SPOT_STEPS)
    await page.locator('[data-testid=optimization-detail][data-status=completed]').waitFor({ timeout: 60_000 })
    expect(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true)
    const opt = (await p.http('GET', `/optimizations/${spotOptimizationId}`, { token: demo.token })).body
    expect(opt.status).toBe('completed')
    await expect.poll(async () => page.getByTestId('actual-savings-value').textContent(), { timeout: 15_000 })
      .toBe(typeof opt.result.actual_savings === 'number' ? usdText(opt.result.actual_savings) : '—')
    // the latency side of the prediction: measured p95 after promotion beside the agent's prediction, as the API reports them
    const latency = opt.result.latency
    expect(latency.predicted_p95_ms).toEqual(expect.any(Number))
    await expect.poll(async () => page.getByTestId('latency-prediction-value').textContent(), { timeout: 15_000 }).toBe(ms(latency.measured_p95_ms))
    expect(await page.getByTestId('latency-prediction').textContent()).toContain(`predicted ${ms(latency.predicted_p95_ms)}`)
    expect(await page.getByTestId('latency-prediction-p99-value').textContent()).toBe(ms(latency.measured_p99_ms))
    expect(await page.getByTestId('latency-prediction-p99').textContent()).toContain(`predicted ${ms(latency.predicted_p99_ms)}`)
    // canary against stable, each group as measured, with the rollout's steps marked
    const overlay = page.getByTestId('overlay-p95_latency_ms')
    await expect.poll(async () => Number(await overlay.getAttribute('data-canary-points')), { timeout: 30_000, message: 'canary points on the overlay' }).toBeGreaterThan(0)
    expect(Number(await overlay.getAttribute('data-stable-points'))).toBeGreaterThan(0)
    expect(await overlay.locator('.recharts-reference-line').count()).toBeGreaterThanOrEqual(SPOT_STEPS.length)
    // a spot move changes capacity only: no vLLM argument differs, and the page shows what the new group runs
    await expect.poll(async () => page.getByTestId('engine-args-after').textContent(), { timeout: 15_000 }).toBe(`vllm serve ${opt.engine_args.after.join(' ')}`)
    expect(await page.getByTestId('engine-args-diff').count()).toBe(0)
    // each gate look by look on the canary's validation: as many looks, and the tolerance, as the step recorded
    const recorded: any[] = opt.execution_steps.find((s: any) => s.name === 'validate_canary').detail.analysis.gate_looks
    expect(new Set(recorded.map((l) => l.gate))).toEqual(new Set(['quality', 'error_rate', 'latency_p95']))
    for (const gate of ['quality', 'error_rate', 'latency_p95']) {
      const mine = recorded.filter((l) => l.gate === gate)
      const looks = page.locator(`[data-testid=step-row][data-name=validate_canary] [data-testid=gate-looks][data-gate=${gate}] [data-testid=gate-look]`)
      expect(await looks.count()).toBe(mine.length)
      const shown = Number((await looks.last().getByTestId('gate-look-threshold').textContent())!.replace('%', '')) / 100
      expect(shown).toBeCloseTo(mine.at(-1).threshold, 6)
      const source = page.locator(`[data-testid=step-row][data-name=validate_canary] [data-testid=gate-looks][data-gate=${gate}] [data-testid=gate-looks-source]`)
      expect(await source.textContent()).toBe(`${mine.at(-1).source} record`)
    }
    // the quality gate was judged by the declared record, at every look
    expect(recorded.filter((l) => l.gate === 'quality').every((l) => l.threshold === 0.02 && l.source === 'declared')).toBe(true)
    await shot(page, 'optimization-completed')

    await page.getByTestId('nav-overview').click()
    await expect.poll(async () => spendShown(page), { timeout: 60_000, message: 'spend on the overview drops after the spot migration' }).toBeLessThan(spendBefore)
    const after = await dashboard()
    expect(after.current_spend).toBeLessThan(spendBefore)
    await shot(page, 'journey-overview-after')
    expect(errors).toEqual([])
    await ctx.close()
  }, 300_000)

  it('shows a rollback with its reason when a quality fault hits the canary', async () => {
    await requireEndpoint(p, 'GET', `/customers/${demo.customerId}/recommendations`, demo.token)
    const rec = await waitFor(async () => {
      const list = await pendingRecs()
      return list.find((r) => r.deployment_id) ?? null
    }, { timeoutMs: 60_000, what: 'another pending recommendation' })
    const fault = await p.http('POST', '/admin/simulator/faults', {
      token: p.adminToken, body: { customer_id: demo.customerId, deployment_id: rec.deployment_id, target: 'canary', kind: 'quality_degradation', magnitude: 0.3 },
    })
    expect(fault.status).toBe(201)

    const ctx = await contextWithSession(browser, demo)
    const page = await ctx.newPage()
    const errors = watchErrors(page)
    await page.goto(`${p.url}/app/recommendations/${rec.id}`)
    // the evidence names the data it rests on, as the API recorded it
    const used = (await p.http('GET', `/recommendations/${rec.id}`, { token: demo.token })).body.evidence.data_used
    const basis = page.getByTestId('data-used')
    await basis.waitFor()
    expect(await basis.getAttribute('data-basis')).toBe(used.basis)
    expect(await basis.textContent()).toMatch(used.basis === 'telemetry' ? new RegExp(`^Based on telemetry ${used.via}.*\\(${used.samples} samples\\)`) : /^Based on the serving model's prior/)
    if (used.basis === 'telemetry') {
      // what the agents learned of the workload, as the API recorded it, beside the registration
      const learned = page.getByTestId('learned-workload')
      expect(await learned.getAttribute('data-efficiency')).toBe(String(used.workload.gpu_efficiency))
      expect(await learned.textContent()).toContain(`${used.workload.rps_now.toFixed(1)} req/s`)
      expect(await learned.textContent()).toContain(`registered ${used.workload.registered.rps_now.toFixed(1)}`)
      expect(await learned.textContent()).toContain(`peaking at ${used.workload.peak_hour_utc.toFixed(1)} h UTC`)
    }
    await page.getByTestId('approve-button').click()
    await page.getByTestId('confirm-approve').click()
    await page.waitForURL('**/app/optimizations/**')
    const id = page.url().split('/app/optimizations/')[1]!.split(/[?#]/)[0]!
    await page.locator('[data-testid=optimization-detail][data-status=rolled_back]').waitFor({ timeout: 180_000 })
    const reason = (await page.getByTestId('rollback-reason').textContent())?.trim() ?? ''
    const api = (await p.http('GET', `/optimizations/${id}`, { token: demo.token })).body
    expect(api.status).toBe('rolled_back')
    expect(reason.length).toBeGreaterThan(0)
    expect(reason).not.toBe('No reason was recorded.')
    expect(reason).toBe(api.abort_reason ?? api.result?.error)
    await shot(page, 'optimization-rolled-back')

    await page.getByTestId('nav-history').click()
    await page.locator('[data-testid=optimization-row][data-status=rolled_back]').first().waitFor()
    await shot(page, 'journey-history-rollback')
    expect(errors).toEqual([])
    await ctx.close()
  }, 300_000)

  it('resolves two recommendations against each other on the conflicts page and lists the decision', async () => {
    const pending = await pendingRecs()
    const byDeployment = new Map<string, Rec[]>()
    for (const r of pending) if (r.deployment_id) byDeployment.set(r.deployment_id, [...(byDeployment.get(r.deployment_id) ?? []), r])
    // two proposals for one deployment compete for it; any two will do if none share one
    const pair = [...byDeployment.values()].find((l) => l.length >= 2)?.slice(0, 2) ?? pending.slice(0, 2)
    expect(pair.length, 'two pending recommendations on the demo fleet').toBe(2)
    const ctx = await contextWithSession(browser, demo)
    const page = await ctx.newPage()
    const errors = watchErrors(page)
    await page.goto(`${p.url}/app/conflicts`)
    for (const r of pair) await page.locator(`[data-testid=conflict-pick][data-id="${r.id}"]`).check()
    await page.getByTestId('check-conflicts-button').click()
    const row = page.locator('[data-testid=conflict-row]').first()
    await row.waitFor({ timeout: 30_000 })
    const list = (await p.http<{ id: string; conflict_detected: boolean; resolution_strategy: string; recommendation_ids: string[] }[]>('GET', `/customers/${demo.customerId}/conflict-resolutions`, { token: demo.token })).body
    const decided = list.find((c) => pair.every((r) => c.recommendation_ids.includes(r.id)))
    expect(decided, 'the resolution is stored').toBeTruthy()
    const shown = page.locator(`[data-testid=conflict-row][data-id="${decided!.id}"]`)
    expect(await shown.getAttribute('data-strategy')).toBe(decided!.resolution_strategy)
    expect(await shown.getAttribute('data-conflict')).toBe(String(decided!.conflict_detected))
    await shot(page, 'conflicts-resolved')
    expect(errors).toEqual([])
    await ctx.close()
  }, 120_000)

  it('renders every page (screenshots in reports/screenshots/), light, dark and at 768 px', async () => {
    const pages = ['overview', 'cost', 'performance', 'resources', 'quality', 'recommendations', 'conflicts', 'history', 'settings']
    const ctx = await contextWithSession(browser, demo)
    const page = await ctx.newPage()
    const errors = watchErrors(page)
    for (const name of pages) {
      await page.goto(`${p.url}/app/${name}`)
      await page.locator('main h1').waitFor()
      await page.waitForLoadState('networkidle')
      await shot(page, name)
    }
    const opts = await p.http<{ id: string }[]>('GET', `/customers/${demo.customerId}/optimizations`, { token: demo.token })
    if (opts.status === 200 && opts.body[0]) {
      await page.goto(`${p.url}/app/optimizations/${opts.body[0].id}`)
      await page.getByTestId('optimization-detail').waitFor()
      await shot(page, 'optimization-detail')
    }
    await ctx.close()

    const admin = await contextWithSession(browser, { token: p.adminToken, role: 'admin', customerId: null, email: 'admin' })
    const adminPage = await admin.newPage()
    errors.push(...watchErrors(adminPage))
    await adminPage.goto(`${p.url}/app/admin`)
    await adminPage.getByTestId('admin-page').waitFor()
    await adminPage.waitForLoadState('networkidle')
    await shot(adminPage, 'admin')
    await admin.close()

    for (const [suffix, opt] of [['dark', { dark: true }], ['768', { width: 768 }], ['768-dark', { width: 768, dark: true }]] as const) {
      const c = await contextWithSession(browser, demo, opt)
      const pg = await c.newPage()
      errors.push(...watchErrors(pg))
      for (const name of ['overview', 'recommendations']) {
        await pg.goto(`${p.url}/app/${name}`)
        await pg.locator('main h1').waitFor()
        await pg.waitForLoadState('networkidle')
        await shot(pg, `${name}-${suffix}`)
      }
      await c.close()
    }
    expect(errors).toEqual([])
  }, 180_000)
})
