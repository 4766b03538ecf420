import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { waitFor, type TestPlatform } from '../test/platform.ts'
import { insertRecommendation, registerSeedFleet, spotPlanFor, startWorkflowPlatform } from '../test/optimization-fixtures.ts'
import type { Optimization } from '../../api/optimizations.ts'
import type { SimilarOutcome } from '../learning/features.ts'

let p: TestPlatform
beforeAll(async () => { p = await startWorkflowPlatform({ concurrency: 5 }) }, 60_000)
afterAll(async () => { await p?.stop() })

describe('five concurrent optimizations for one customer on disjoint deployments', () => {
  it('all complete, each on its own deployment, and feed the learning memory', async () => {
    const c = await p.newCustomer()
    const recs: string[] = []
    for (let i = 0; i < 5; i++) {
      const dep = await registerSeedFleet(p.deps.twin!, c.customerId, `c${i}`)
      const { plan, before, after } = await spotPlanFor(p.deps.twin!, c.customerId, dep.id)
      recs.push(await insertRecommendation(p.deps.db, p.deps.clock, { customerId: c.customerId, plan, savings: before - after, before }))
    }
    const costBefore = await p.deps.twin!.monthlyRunRateUsd(c.customerId)
    const t0 = performance.now()
    const ids = await Promise.all(recs.map(async (r) => (await p.http('POST', `/recommendations/${r}/approve`, { token: c.token })).body.optimization_id as string))
    const done = await waitFor(async () => {
      const list = await p.http<Optimization[]>('GET', `/customers/${c.customerId}/optimizations`, { token: c.token })
      return list.body.length === 5 && list.body.every((o) => o.status === 'completed') ? list.body : null
    }, { timeoutMs: 120_000, what: 'five optimizations' })
    const wallS = (performance.now() - t0) / 1000
    expect(new Set(done.map((o) => o.deployment_id)).size).toBe(5)
    expect(done.map((o) => o.id).sort()).toEqual([...ids].sort())
    // they overlapped in time: disjoint deployments do not wait for each other's lock
    const spans = done.map((o) => [Date.parse(o.started_at!), Date.parse(o.completed_at!)] as const)
    const latestStart = Math.max(...spans.map((s) => s[0]))
    const earliestEnd = Math.min(...spans.map((s) => s[1]))
    expect(latestStart).toBeLessThan(earliestEnd)
    const saved = done.reduce((s, o) => s + (o.result.actual_savings ?? 0), 0)
    const costAfter = await p.deps.twin!.monthlyRunRateUsd(c.customerId)
    // each run measured its own deployment when it finished; the fleet is measured now (spot prices move hourly)
    expect(Math.abs(saved - (costBefore - costAfter)) / (costBefore - costAfter)).toBeLessThan(0.05)
    console.log(`5 concurrent spot migrations in ${wallS.toFixed(1)} s wall; saved ${saved.toFixed(0)} USD/month`)

    // a new, similar recommendation finds these outcomes and its confidence moves toward them
    const dep = await registerSeedFleet(p.deps.twin!, c.customerId, 'next')
    const { plan, before, after } = await spotPlanFor(p.deps.twin!, c.customerId, dep.id)
    const next = await insertRecommendation(p.deps.db, p.deps.clock, { customerId: c.customerId, plan, savings: before - after, before })
    const sim = await p.http<{ outcomes: SimilarOutcome[]; adjusted: { confidence: number; success_rate: number }; vector_backend: string }>('GET', `/recommendations/${next}/similar-outcomes?k=3`, { token: c.token })
    expect(sim.status).toBe(200)
    expect(sim.body.vector_backend).toBe(p.deps.db.kind === 'pglite' ? 'pgvector' : 'portable')
    expect(sim.body.outcomes).toHaveLength(3)
    expect(sim.body.outcomes.every((o) => o.success && o.same_customer && o.recommendation_type === 'spot_migration' && o.similarity > 0.9)).toBe(true)
    expect(sim.body.adjusted.success_rate).toBe(1)
    expect(sim.body.adjusted.confidence).toBeGreaterThan(0.8)
    const other = await p.newCustomer('Other')
    expect((await p.http('GET', `/recommendations/${next}/similar-outcomes`, { token: other.token })).status).toBe(403)
  }, 150_000)
})
