/**
 * Issue 14 item 3 in the portal: one number for one thing. Once similar past outcomes exist, the
 * header, the approve dialog and the risk card all show the adjusted confidence and risk the
 * similar-outcomes API computes (the Similar outcomes card is the one place that says how); a
 * performance change shows its value (the capacity it frees, in dollars) and sorts by it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { startTestPlatform, type TestPlatform } from '../../server/test/platform.ts'
import { configPlanFor, insertRecommendation, registerSeedFleet, spotPlanFor } from '../../server/test/optimization-fixtures.ts'
import { getRecommendation } from '../../server/optimizations/store.ts'
import { featuresOf } from '../../server/learning/features.ts'
import { storeOutcome } from '../../server/learning/store.ts'
import { contextWithSession, launchBrowser, watchErrors } from './support.ts'

let p: TestPlatform
let browser: Browser
beforeAll(async () => {
  p = await startTestPlatform({ workers: false })
  browser = await launchBrowser()
}, 120_000)
afterAll(async () => {
  await browser?.close()
  await p?.stop()
})

/** Past changes just like this one that were rolled back. */
async function failedNeighbours(customerId: string, recId: string, n: number) {
  const rec = (await getRecommendation(p.deps.db, recId))!
  const features = featuresOf({ type: rec.type, riskLevel: rec.riskLevel, confidence: rec.confidence, estimatedSavingsUsd: rec.estimatedSavingsUsd, predicted: rec.predicted, plan: rec.plan })
  for (let k = 0; k < n; k++) {
    const [run] = await p.deps.db.query<{ id: string }>(
      `INSERT INTO workflow_runs (kind, customer_id, next_run_at, created_by, created_at, updated_at) VALUES ('optimization', $1, now(), 't', now(), now()) RETURNING id`, [customerId])
    await storeOutcome(p.deps.db, {
      optimizationId: run!.id, customerId, recommendationId: null, recommendationType: rec.type, deploymentId: rec.deploymentId, success: false, status: 'rolled_back',
      predictedSavingsUsd: rec.estimatedSavingsUsd, actualSavingsUsd: 0, qualityDelta: -0.08, rollbackReason: 'quality regression', features, at: p.deps.clock.now(),
    })
  }
}

describe('one number for one thing', () => {
  it('shows the outcome-adjusted confidence and risk everywhere on the recommendation page', async () => {
    const c = await p.newCustomer('One Number Co')
    const dep = await registerSeedFleet(p.deps.twin!, c.customerId, 'one')
    const { plan, before, after } = await spotPlanFor(p.deps.twin!, c.customerId, dep.id)
    const recId = await insertRecommendation(p.deps.db, p.deps.clock, { customerId: c.customerId, plan, savings: before - after, before, riskLevel: 'low' })
    await failedNeighbours(c.customerId, recId, 3)
    const similar = (await p.http<any>('GET', `/recommendations/${recId}/similar-outcomes`, { token: c.token })).body
    expect(similar.outcomes.length).toBe(3)
    const shown = `${(similar.adjusted.confidence * 100).toFixed(0)}%`
    expect(similar.adjusted.confidence).toBeLessThan(0.8)
    expect(similar.adjusted.risk_level).toBe('medium')

    const ctx = await contextWithSession(browser, { token: c.token, role: 'customer', customerId: c.customerId, email: c.email })
    const page = await ctx.newPage()
    const errors = watchErrors(page)
    await page.goto(`${p.url}/app/recommendations/${recId}`)
    await expect.poll(() => page.getByTestId('rec-confidence-value').textContent(), { timeout: 20_000 }).toBe(shown)
    expect(await page.getByTestId('rec-confidence').textContent()).toContain("the agent's 80%")
    await expect.poll(() => page.locator('.page-header [data-testid="risk-badge"]').first().textContent(), { timeout: 20_000 }).toBe('Medium risk')
    expect(await page.getByTestId('risk-reasons').textContent()).toContain('Medium risk (the agent said low')
    expect(await page.getByTestId('similar-adjusted').textContent()).toMatch(new RegExp(`80% from the agent → ${shown}`))
    expect(errors).toEqual([])
    await ctx.close()
  })

  it('lists a speed-up by the capacity it frees, sorted by value with the cost changes', async () => {
    const c = await p.newCustomer('Value Co')
    const dep = await registerSeedFleet(p.deps.twin!, c.customerId, 'val')
    const { plan, before, after } = await spotPlanFor(p.deps.twin!, c.customerId, dep.id)
    const spot = await insertRecommendation(p.deps.db, p.deps.clock, { customerId: c.customerId, plan, savings: before - after, before })
    const fp8 = await insertRecommendation(p.deps.db, p.deps.clock, { customerId: c.customerId, type: 'quantization', agentType: 'performance', plan: await configPlanFor(p.deps.twin!, c.customerId, dep.id, { quantization: 'fp8' }), savings: 0, before })
    await p.deps.db.query(`UPDATE recommendations SET predicted = predicted || '{"throughputCapacityRatio": 1.6, "p95LatencyMsBefore": 2000, "p95LatencyMsAfter": 1500}'::jsonb WHERE id = $1`, [fp8])
    const list = (await p.http<any[]>('GET', `/customers/${c.customerId}/recommendations?status=pending`, { token: c.token })).body
    const perf = list.find((r) => r.id === fp8)
    expect(perf.value).toEqual({ kind: 'capacity', monthly_usd: Math.round((1 - 1 / 1.6) * before * 100) / 100, capacity_ratio: 1.6, p95_change: -0.25 })
    expect(list.map((r) => r.id).sort()).toEqual([spot, fp8].sort())

    const ctx = await contextWithSession(browser, { token: c.token, role: 'customer', customerId: c.customerId, email: c.email })
    const page = await ctx.newPage()
    const errors = watchErrors(page)
    await page.goto(`${p.url}/app/recommendations`)
    await expect.poll(() => page.getByTestId('rec-row').count(), { timeout: 20_000 }).toBe(2)
    const byValue = [...list].sort((a, b) => b.value.monthly_usd - a.value.monthly_usd).map((r) => r.id)
    expect(await page.getByTestId('rec-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-id')))).toEqual(byValue)
    const cell = page.locator(`[data-testid="rec-row"][data-id="${fp8}"] [data-testid="rec-value"]`)
    expect(await cell.getAttribute('data-kind')).toBe('capacity')
    expect(await cell.textContent()).toMatch(/capacity ×1\.60 · p95 -25%/)
    expect(errors).toEqual([])
    await ctx.close()
  })
})
