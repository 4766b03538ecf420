import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Optimization } from '../../api/optimizations.ts'
import { DEFAULT_BAKE } from '../../server/rollouts/rollout.ts'
import { insertRecommendation, registerSeedFleet, spotPlanFor } from '../../server/test/optimization-fixtures.ts'
import { startTestPlatform, waitFor, type TestPlatform } from '../../server/test/platform.ts'
import { prometheusAvailable } from '../../server/test/prometheus-server.ts'
import { workflowService } from '../../server/workflows/service.ts'
import type { Service } from '../../server/services.ts'
import { prometheusOnFleet, type FleetPrometheus } from '../support/fleet-prometheus.ts'

// tags: integration — issue 11's "a canary's analysis reads Prometheus": a customer whose telemetry
// source is a real Prometheus (Debian's package, following the fleet's targets as they change) has
// its canary measured from that Prometheus' series, not from scraping the groups; when that
// Prometheus goes away mid-bake the analysis errors and the change rolls back.
let p: TestPlatform
let worker: Service
const proms: FleetPrometheus[] = []
// an interval is 20 minutes of fleet time (2 s of wall time at the tests' 600×): two 1-s scrapes each
const bake = { ...DEFAULT_BAKE, intervalMs: 1_200_000, limits: { ...DEFAULT_BAKE.limits, count: 2 } }
beforeAll(async () => {
  p = await startTestPlatform({ workers: false, env: { OPTIINFRA_TELEMETRY_ALLOW_PRIVATE: 'true' } })
  worker = workflowService(p.deps, { pollMs: 100, bake })
  await worker.start()
}, 120_000)
afterAll(async () => {
  await worker?.stop()
  for (const f of proms) await f.stop()
  await p?.stop()
})

/** A customer on the seed fleet whose only telemetry source is a Prometheus on it, with a spot migration to approve. */
async function customerOnPrometheus(name: string) {
  const c = await p.newCustomer(name)
  const dep = await registerSeedFleet(p.deps.twin!, c.customerId)
  const fleetProm = await prometheusOnFleet(p, c)
  proms.push(fleetProm)
  const created = await p.http('POST', `/customers/${c.customerId}/telemetry-sources`, { token: c.token, body: { kind: 'prometheus', url: fleetProm.prom.url } })
  expect(created.body.health?.status, JSON.stringify(created.body)).toBe('ok')
  const { plan, before, after } = await spotPlanFor(p.deps.twin!, c.customerId, dep.id)
  const recId = await insertRecommendation(p.deps.db, p.deps.clock, { customerId: c.customerId, plan, savings: before - after, before })
  return { c, fleetProm, recId }
}

const optimization = async (id: string, token: string) => (await p.http<Optimization>('GET', `/optimizations/${id}`, { token })).body
const finished = (id: string, token: string) => waitFor(async () => {
  const o = await optimization(id, token)
  return ['completed', 'failed', 'rolled_back'].includes(o.status) ? o : null
}, { timeoutMs: 150_000, what: `optimization ${id} to finish` })

describe('integration: a canary measured through Prometheus', () => {
  it.skipIf(!prometheusAvailable() && !process.env.CI)('bakes each step on the Prometheus series of both groups and completes', async () => {
    const { c, fleetProm, recId } = await customerOnPrometheus('Canary Via Prometheus Co')
    const approved = await p.http('POST', `/recommendations/${recId}/approve`, { token: c.token })
    expect(approved.status, JSON.stringify(approved.body)).toBeLessThan(300)
    const opt = await finished(approved.body.optimization_id, c.token)
    expect(opt.status, JSON.stringify(opt.execution_steps.map((s) => [s.name, s.status, s.detail]))).toBe('completed')
    // the canary's share of the requests Prometheus counted follows its traffic weight
    for (const [name, share] of [['validate_canary', 0.1], ['validate_50_percent', 0.5]] as const) {
      const step = opt.execution_steps.find((s) => s.name === name)!
      expect(step.detail.measured_via, name).toBe(`Prometheus ${fleetProm.prom.url}`)
      const slo = step.detail.slo as { canary: { requests: number; p95_ms: number }; stable: { requests: number } }
      expect(slo.canary.requests).toBeGreaterThan(0)
      expect(slo.canary.p95_ms).toBeGreaterThan(0)
      const measured = slo.canary.requests / (slo.canary.requests + slo.stable.requests)
      expect(measured, name).toBeGreaterThan(share * 0.5)
      expect(measured, name).toBeLessThan(share * 1.5)
    }
  }, 200_000)

  it.skipIf(!prometheusAvailable() && !process.env.CI)('rolls the change back when that Prometheus stops answering mid-bake', async () => {
    const { c, fleetProm, recId } = await customerOnPrometheus('Prometheus Gone Co')
    const approved = await p.http('POST', `/recommendations/${recId}/approve`, { token: c.token })
    const id = approved.body.optimization_id as string
    await waitFor(async () => (await optimization(id, c.token)).execution_steps.find((s) => s.name === 'validate_canary')?.detail?.measured_via, { timeoutMs: 60_000, what: 'the first Prometheus snapshot' })
    await fleetProm.stop()
    const opt = await finished(id, c.token)
    expect(opt.status).toBe('rolled_back')
    expect(opt.abort_reason).toMatch(/analysis error/)
    expect(opt.abort_reason).toContain(fleetProm.prom.url)
  }, 200_000)
})
