/**
 * The optimization workflow under load, on a real platform (HTTP, simulator, time scale 600):
 * - rollback: a quality regression injected on the canary; how long from the abort decision until
 *   traffic is back on stable and until the original configuration is verified (simulated time,
 *   the seed's "under 5 minutes"), and the wall time the rollback step took;
 * - five concurrent spot migrations on disjoint deployments: wall time and throughput;
 * - the engine alone (no-op steps): claimed-and-persisted steps per second on the store.
 */
import pino from 'pino'
import type { BenchResult } from './bench.ts'
import { manualClock } from '../server/clock.ts'
import { createLiveHub } from '../server/http/live.ts'
import { freshDb } from '../server/test/db.ts'
import { insertRecommendation, registerSeedFleet, spotPlanFor, startWorkflowPlatform } from '../server/test/optimization-fixtures.ts'
import { waitFor, type TestPlatform } from '../server/test/platform.ts'
import { createEngine, type WorkflowDefinition, type EngineDeps } from '../server/workflows/engine.ts'
import { insertRun, listEvents } from '../server/workflows/store.ts'
import type { Optimization } from '../api/optimizations.ts'

async function finished(p: TestPlatform, id: string, token: string): Promise<Optimization> {
  return waitFor(async () => {
    const r = await p.http<Optimization>('GET', `/optimizations/${id}`, { token })
    return ['completed', 'failed', 'rolled_back'].includes(r.body.status) ? r.body : null
  }, { timeoutMs: 300_000, intervalMs: 100 })
}

async function rollback(p: TestPlatform): Promise<BenchResult[]> {
  const c = await p.newCustomer()
  const dep = await registerSeedFleet(p.deps.twin!, c.customerId, 'rb')
  const { plan, before, after } = await spotPlanFor(p.deps.twin!, c.customerId, dep.id)
  const rec = await insertRecommendation(p.deps.db, p.deps.clock, { customerId: c.customerId, plan, savings: before - after, before })
  await p.deps.twin!.injectFault({ customer_id: c.customerId, deployment_id: dep.id, target: 'canary', kind: 'quality_degradation', magnitude: 0.15 })
  const { body } = await p.http('POST', `/recommendations/${rec}/approve`, { token: c.token })
  const opt = await finished(p, body.optimization_id, c.token)
  if (opt.status !== 'rolled_back') throw new Error(`expected a rollback, got ${opt.status}`)
  const rb = opt.rollback as { traffic_restored_ms: number; duration_ms: number }
  const events = await listEvents(p.deps.db, opt.id)
  const rollbackWall = events.filter((e) => e.step === 'rollback').reduce((s, e) => s + Number(e.data.took_ms ?? 0), 0)
  return [
    { name: 'rollback: abort → traffic on stable (simulated)', value: rb.traffic_restored_ms / 1000, unit: 's', target: 300, better: 'lower', note: 'seed: rollback under 5 minutes' },
    { name: 'rollback: abort → original config verified (simulated)', value: rb.duration_ms / 1000, unit: 's', target: 300, better: 'lower' },
    { name: 'rollback: abort → original config verified (wall)', value: rb.duration_ms / p.deps.clock.scale, unit: 'ms', target: null, better: 'lower', note: `simulated ÷ time scale ${p.deps.clock.scale}` },
    { name: 'rollback: rollback step wall time', value: rollbackWall, unit: 'ms', target: null, better: 'lower', note: opt.abort_reason ?? '' },
  ]
}

async function concurrent(p: TestPlatform, n: number): Promise<BenchResult[]> {
  const c = await p.newCustomer()
  const recs: string[] = []
  for (let i = 0; i < n; i++) {
    const dep = await registerSeedFleet(p.deps.twin!, c.customerId, `b${i}`)
    const { plan, before, after } = await spotPlanFor(p.deps.twin!, c.customerId, dep.id)
    recs.push(await insertRecommendation(p.deps.db, p.deps.clock, { customerId: c.customerId, plan, savings: before - after, before }))
  }
  const t0 = performance.now()
  const ids = await Promise.all(recs.map(async (r) => (await p.http('POST', `/recommendations/${r}/approve`, { token: c.token })).body.optimization_id as string))
  const done = await Promise.all(ids.map((id) => finished(p, id, c.token)))
  const seconds = (performance.now() - t0) / 1000
  const ok = done.filter((o) => o.status === 'completed').length
  const err = done.map((o) => Math.abs(Number(o.result.prediction_error ?? 0)))
  return [
    { name: `${n} concurrent spot migrations: completed`, value: ok, unit: `of ${n}`, target: n },
    { name: `${n} concurrent spot migrations: wall time`, value: seconds, unit: 's', target: null, better: 'lower', note: 'time scale 600: each run bakes 2 × 5 simulated minutes' },
    { name: 'optimizations throughput', value: (ok / seconds) * 60, unit: 'runs/min', target: null },
    { name: 'spot migration |prediction error| (mean)', value: (err.reduce((s, x) => s + x, 0) / err.length) * 100, unit: '%', target: 20, better: 'lower', note: 'actual savings from the bill vs predicted' },
  ]
}

/** Engine overhead: runs of no-op steps, claimed and persisted (run + event + audit in one tx). */
async function engineOnly(runs: number, steps: number): Promise<BenchResult[]> {
  const { db, drop } = await freshDb()
  try {
    const clock = manualClock()
    const deps: EngineDeps = { db, clock, log: pino({ level: 'silent' }), live: createLiveHub(db) }
    const [{ id: customerId }] = await db.query<{ id: string }>("INSERT INTO customers (company_name) VALUES ('bench') RETURNING id") as [{ id: string }]
    const names = Array.from({ length: steps }, (_, i) => `s${i}`)
    const def: WorkflowDefinition<EngineDeps> = {
      kind: 'bench', steps: Object.fromEntries(names.map((n) => [n, { run: async () => ({ kind: 'advance' as const }) }])),
      rollback: async () => ({ kind: 'done' }), finish: async () => ({ kind: 'done' }),
    }
    for (let i = 0; i < runs; i++) await insertRun(db, { kind: 'bench', customerId, stepNames: names, context: {}, createdBy: 'bench', at: clock.now() })
    const engine = createEngine(deps, [def], { workerId: 'bench' })
    const t0 = performance.now()
    let n = 0
    while (await engine.runOnce()) n++
    const seconds = (performance.now() - t0) / 1000
    return [{ name: `workflow engine: steps claimed+persisted (${db.kind})`, value: n / seconds, unit: 'steps/s', target: null, note: `${runs} runs × ${steps} steps + finish` }]
  } finally {
    await db.close()
    await drop()
  }
}

/** Runs the workflow benchmarks. */
export async function run(): Promise<BenchResult[]> {
  const engine = await engineOnly(50, 7)
  const p = await startWorkflowPlatform({ concurrency: 5 })
  try {
    return [...engine, ...(await rollback(p)), ...(await concurrent(p, 5))]
  } finally {
    await p.stop()
  }
}
