import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Db } from '../db/db.ts'
import { freshDb, testDbKind } from '../test/db.ts'
import { loadCatalog } from '../cloud/catalog/catalog.ts'
import { trafficRpsAt } from '../cloud/model/serving.ts'
import { simFixture, SMALL_FLEET } from '../cloud/simulator/testing.ts'
import { deploymentState } from '../agents/state.ts'
import { insertDeploymentMetrics, type DeploymentMetricRow } from '../telemetry/store.ts'
import { buildContextData, hydrateContext } from './context.ts'
import { runAnalysis } from '../agents/run.ts'
import { resourceAgent } from '../agents/resource/resource.ts'
import { MIN_SETTLED_MS } from './settle.ts'
import { insertSource, recordPoll } from '../telemetry-sources/store.ts'

let db: Db
let drop: () => Promise<void>
beforeAll(async () => { ({ db, drop } = await freshDb()) }, 60_000)
afterAll(async () => { await db?.close(); await drop?.() })

const catalog = loadCatalog()
const day = { baseRps: 10, dailyAmplitude: 0.4, peakHourUtc: 3, promptTokensMean: 512, outputTokensMean: 128, prefixShare: 0.2 }

describe(`the agents' context reads a day of telemetry, on ${testDbKind}`, () => {
  it('gives each deployment its hourly request rate over the last day, stable and canary together, and the agents learn its shape from it', async () => {
    const f = await simFixture(db, SMALL_FLEET)
    const now = f.clock.now().getTime()
    // a scrape every 5 minutes for 24 hours; for two hours a canary took 30% of the traffic
    const rows: DeploymentMetricRow[] = []
    for (let t = now - 24 * 3_600_000; t < now; t += 5 * 60_000) {
      const rps = trafficRpsAt(day, new Date(t))
      const canary = t > now - 6 * 3_600_000 && t < now - 4 * 3_600_000 ? 0.3 : 0
      rows.push({ deploymentId: 'chat-8b', group: 'stable', metricType: 'throughput_rps', tsMs: t, value: rps * (1 - canary) })
      if (canary) rows.push({ deploymentId: 'chat-8b', group: 'canary', metricType: 'throughput_rps', tsMs: t, value: rps * canary })
    }
    await insertDeploymentMetrics(db, f.customerId, rows)
    const data = await buildContextData({ db, clock: f.clock, cloud: f.sim }, f.customerId, catalog)
    const hours = data.daily!['chat-8b']!
    expect(hours.length).toBeGreaterThanOrEqual(24)
    const fourHoursAgo = hours.find((h) => Date.parse(h.at) === now - 5 * 3_600_000)!
    let mean = 0
    for (let m = 0; m < 60; m += 5) mean += trafficRpsAt(day, new Date(now - 5 * 3_600_000 + m * 60_000)) / 12
    expect(fourHoursAgo.rps).toBeCloseTo(mean, 6)

    const ctx = hydrateContext(data, catalog)
    const s = deploymentState(ctx, ctx.fleet.deployments[0]!)
    expect(s.workload.daily_shape).toBe('telemetry')
    expect(s.traffic.dailyAmplitude).toBeCloseTo(0.4, 1)
    expect(s.traffic.peakHourUtc).toBeCloseTo(3, 0)
  })

  it('reads a deployment only from when its last change ended, and leaves it alone until enough settled telemetry exists', async () => {
    const f = await simFixture(db, SMALL_FLEET)
    const now = f.clock.now().getTime()
    const ended = now - 2 * 60_000
    // during the rollout the stable group carried half the load; after it, all of it
    const rows: DeploymentMetricRow[] = []
    for (let t = now - 15 * 60_000; t < now; t += 15_000) rows.push({ deploymentId: 'chat-8b', group: 'stable', metricType: 'throughput_rps', tsMs: t, value: t < ended ? 5 : 10 })
    await insertDeploymentMetrics(db, f.customerId, rows)
    await db.query(
      `INSERT INTO workflow_runs (kind, customer_id, status, phase, context, created_by, created_at, started_at, completed_at, updated_at, next_run_at)
       VALUES ('optimization', $1, 'completed', 'finish', '{"deployment_id":"chat-8b"}', 'test', $2, $2, $3, $3, $3)`,
      [f.customerId, new Date(ended - 10 * 60_000), new Date(ended)])

    const data = await buildContextData({ db, clock: f.clock, cloud: f.sim }, f.customerId, catalog)
    expect(data.telemetry!.from!['chat-8b']).toBe(new Date(ended).toISOString())
    expect(data.signals['chat-8b']!.throughputRps).toBe(10)
    expect(data.settling!['chat-8b']).toMatchObject({ since: new Date(ended).toISOString(), until: new Date(ended + MIN_SETTLED_MS).toISOString() })
    const out = await runAnalysis(resourceAgent, hydrateContext(data, catalog))
    expect(out.sources['chat-8b']).toBe('settling')
    expect(out.drafts.filter((d) => d.deploymentId === 'chat-8b')).toEqual([])
    expect(out.findings.find((x) => x.deploymentId === 'chat-8b' && x.kind === 'settling')?.summary).toMatch(/analyzed again from/)

    f.clock.advance(MIN_SETTLED_MS)
    const later = await buildContextData({ db, clock: f.clock, cloud: f.sim }, f.customerId, catalog)
    expect(later.settling!['chat-8b']).toBeUndefined()
    expect(later.telemetry!.from!['chat-8b']).toBe(new Date(ended).toISOString())
    expect((await runAnalysis(resourceAgent, hydrateContext(later, catalog))).sources['chat-8b']).not.toBe('settling')
  })

  it('adds the deployments a connected Prometheus shows and the provider does not run, and judges them only once there is telemetry of them', async () => {
    const f = await simFixture(db, SMALL_FLEET)
    const now = f.clock.now()
    const src = (await insertSource(db, { customerId: f.customerId, url: 'https://prom.example.com', headers: {}, deploymentLabel: 'deployment_id', groupLabel: 'group' }, now))!
    const node = (n: string) => ({ node: n, instance_id: `i-${n}`, instance_type: 'g5.xlarge', capacity_type: 'on-demand' as const, region: 'us-east-1', gpus: 1 })
    const fleet = [
      { deployment_id: 'ext-chat', model_name: 'Qwen/Qwen2.5-7B-Instruct', pods: { stable: 2, canary: 0 }, nodes: [node('n1'), node('n2')] },
      { deployment_id: 'ext-idle', model_name: 'Qwen/Qwen2.5-7B-Instruct', pods: { stable: 1, canary: 0 }, nodes: [node('n3')] },
      { deployment_id: 'chat-8b', model_name: 'x-8B', pods: { stable: 1, canary: 0 }, nodes: [] },
    ]
    await recordPoll(db, src.id, { ok: true, series: 10, deployments: ['ext-chat', 'ext-idle', 'chat-8b'], fleet, clusterState: true }, now)

    const quiet = await buildContextData({ db, clock: f.clock, cloud: f.sim }, f.customerId, catalog)
    // the provider's own deployment keeps the provider's picture; the other comes from the cluster
    expect(quiet.fleet.deployments.map((d) => d.id).sort()).toEqual(['chat-8b', 'ext-chat', 'ext-idle'])
    expect(quiet.fleet.instances.filter((i) => i.deploymentId === 'ext-chat').map((i) => i.id)).toEqual(['i-n1', 'i-n2'])
    expect(quiet.settling!['ext-chat']?.reason).toMatch(/discovered through Prometheus.*no telemetry/)
    expect(quiet.telemetry!.via['ext-chat']).toBe('Prometheus https://prom.example.com')

    const rows: DeploymentMetricRow[] = []
    for (let t = now.getTime() - 10 * 60_000; t < now.getTime(); t += 15_000) {
      rows.push({ deploymentId: 'ext-chat', group: 'stable', metricType: 'throughput_rps', tsMs: t, value: 3 })
      rows.push({ deploymentId: 'ext-idle', group: 'stable', metricType: 'throughput_rps', tsMs: t, value: 0 })
    }
    await insertDeploymentMetrics(db, f.customerId, rows)
    const busy = await buildContextData({ db, clock: f.clock, cloud: f.sim }, f.customerId, catalog)
    expect(busy.settling!['ext-chat']).toBeUndefined()
    expect(busy.signals['ext-chat']!.samples).toBeGreaterThan(0)
    // measured idle is judged (its cost is worth reporting), unlike unmeasured
    expect(busy.settling!['ext-idle']).toBeUndefined()
    expect(busy.signals['ext-idle']!.throughputRps).toBe(0)
    expect(deploymentState(hydrateContext(busy, catalog), busy.fleet.deployments.find((d) => d.id === 'ext-chat')!).rpsNow).toBeCloseTo(3, 6)
  })
})
