import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestPlatform, waitFor, type TestPlatform } from '../test/platform.ts'
import { testDbKind } from '../test/db.ts'
import { manualClock } from '../clock.ts'
import { parsePrometheusText } from '../telemetry/prometheus.ts'
import { histogramQuantile } from '../telemetry/histogram.ts'
import { histogramSeries, indexSamples } from '../telemetry/series.ts'
import { readDeploymentSignals } from '../telemetry/signals.ts'
import { SMALL_FLEET } from '../cloud/simulator/testing.ts'
import { VLLM_BUCKETS } from '../telemetry/vllm.ts'
import { createRuntimeToken } from './token.ts'
import { Command } from 'commander'
import { RuntimeLoop, runRuntime } from './runtime.ts'
import { parseScrapeFlag, parseSmiFlag, registerRuntimeCommand } from './cli.ts'
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fixtureText, startFixtureServer, type FixtureServer } from './fixture-server.ts'
import { createRuntimeService } from './service.ts'

let p: TestPlatform
let fx: FixtureServer
let customer: { customerId: string; token: string }
let runtime: { id: string; token: string }

beforeAll(async () => {
  p = await startTestPlatform({ workers: false })
  fx = await startFixtureServer()
  customer = await p.newCustomer('Runtime Co')
  runtime = await createRuntimeToken(p.deps.db, customer.customerId, 'test runtime')
}, 60_000)
afterAll(async () => { await fx?.close(); await p?.stop() })

// Expected values straight from the Appendix A/B fixtures: the window between two scrapes holds
// half of each cumulative series, so quantiles equal the fixture's own and rates are half of it / 30 s.
const fixture = indexSamples(parsePrometheusText(fixtureText('vllm-metrics-v1.txt')).families)
const fixtureQuantileMs = (base: string, q: number) => histogramQuantile([...histogramSeries(fixture, base).values()][0]!.buckets, q) * 1000
const finished = (fixture.get('vllm:request_success_total') ?? []).reduce((a, s) => a + s.value, 0)

describe(`agent runtime end to end (${testDbKind})`, () => {
  it('scrapes a vLLM server and a DCGM exporter, pushes over HTTP, and the metrics API answers from it', async () => {
    const clock = manualClock(new Date(p.deps.clock.now().getTime() - 10 * 60_000))
    const loop = new RuntimeLoop({
      server: p.url, token: runtime.token, intervalSeconds: 30, clock,
      scrapeUrls: [parseScrapeFlag(`dep-fx=${fx.url}/vllm/metrics`), parseScrapeFlag(`dep-fx=${fx.url}/dcgm/metrics`)],
    })
    const first = await loop.tick()
    expect(first).toMatchObject({ targets: 2, scraped: 2, failed: [] })
    expect(first.pushed!.stored).toBe(first.records)
    clock.advance(30_000)
    const second = await loop.tick()
    expect(second.pushed).toMatchObject({ quarantined: 0, duplicates: 0 })

    const window = { from: new Date(clock.now().getTime() - 60_000), to: clock.now() }
    const s = await readDeploymentSignals(p.deps.db, customer.customerId, 'dep-fx', window)
    const failedReq = (fixture.get('vllm:request_success_total') ?? []).filter((x) => ['abort', 'error'].includes(x.labels.finished_reason ?? '')).reduce((a, x) => a + x.value, 0)
    expect(s!.samples).toBe(2)
    expect(s!.kvCacheUsage).toBeCloseTo(0.4127, 6)
    expect(s!.queueDepth).toBe(3)
    expect(s!.gpuUtilization).toBeCloseTo((0.913474 + 0) / 2, 6) // engine-active of GPU 0 (busy) and GPU 1 (idle)
    // rates and percentiles need two scrapes: they come from the second tick only
    expect(s!.throughputRps).toBeCloseTo((0.5 * finished) / 30, 6)
    expect(s!.errorRate).toBeCloseTo(failedReq / finished, 6)
    expect(s!.p95LatencyMs).toBeCloseTo(fixtureQuantileMs('vllm:e2e_request_latency_seconds', 0.95), 3)
    expect(s!.ttftP95Ms).toBeCloseTo(fixtureQuantileMs('vllm:time_to_first_token_seconds', 0.95), 3)

    const q = `start_time=${window.from.toISOString()}&end_time=${window.to.toISOString()}&step=5m`
    const api = await p.http('GET', `/customers/${customer.customerId}/metrics?metric_type=p95_latency_ms&${q}`, { token: customer.token })
    expect(api.status).toBe(200)
    expect(api.body).toHaveLength(1)
    expect(api.body[0].value).toBeCloseTo(s!.p95LatencyMs!, 6)
    const up = await p.deps.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM telemetry_samples s JOIN telemetry_series ser ON ser.id = s.series_id
       WHERE ser.customer_id = $1 AND ser.metric = 'up' AND s.value = 1`, [customer.customerId])
    expect(up[0]!.n).toBe(4)
  })

  it('records a failed scrape as up = 0 and keeps going', async () => {
    const clock = manualClock(new Date(p.deps.clock.now().getTime() - 5 * 60_000))
    const loop = new RuntimeLoop({ server: p.url, token: runtime.token, intervalSeconds: 30, clock, scrapeUrls: [parseScrapeFlag(`dep-broken=${fx.url}/broken/metrics`)] })
    const r = await loop.tick()
    expect(r.failed).toEqual([{ url: `${fx.url}/broken/metrics`, error: 'HTTP 500' }])
    expect(r.pushed).toMatchObject({ received: 1, stored: 1 })
    const rows = await p.deps.db.query<{ value: number }>(
      `SELECT s.value FROM telemetry_samples s JOIN telemetry_series ser ON ser.id = s.series_id
       WHERE ser.customer_id = $1 AND ser.metric = 'up' AND ser.deployment_id = 'dep-broken'`, [customer.customerId])
    expect(rows).toEqual([{ value: 0 }])
  })

  it('buffers records when the platform refuses them and resends them later, losing none', async () => {
    const clock = manualClock(new Date(p.deps.clock.now().getTime() - 5 * 60_000))
    const loop = new RuntimeLoop({ server: p.url, token: runtime.token, intervalSeconds: 30, clock, scrapeUrls: [parseScrapeFlag(`dep-buf=${fx.url}/dcgm/metrics`)] })
    await p.deps.db.query('UPDATE access_tokens SET revoked_at = $2 WHERE id = $1', [runtime.id, new Date()])
    const refused = await loop.tick()
    expect(refused.pushed).toBeNull()
    expect(refused.buffered).toBe(refused.records)
    await p.deps.db.query('UPDATE access_tokens SET revoked_at = NULL WHERE id = $1', [runtime.id])
    clock.advance(30_000)
    const resent = await loop.tick()
    expect(resent.pushed).toMatchObject({ received: refused.records + resent.records, stored: refused.records + resent.records, quarantined: 0 })
    expect(resent.buffered).toBe(0)
  })
})

describe(`runtime loop and command line (${testDbKind})`, () => {
  it('ticks on the clock interval until aborted', async () => {
    const clock = manualClock(new Date(p.deps.clock.now().getTime() - 5 * 60_000))
    const controller = new AbortController()
    const ats: string[] = []
    await runRuntime({ server: p.url, token: runtime.token, intervalSeconds: 15, clock, signal: controller.signal, scrapeUrls: [parseScrapeFlag(`dep-loop=${fx.url}/dcgm/metrics`)] }, (r) => {
      ats.push(r.at)
      if (ats.length === 3) controller.abort()
    })
    expect(ats.map((a) => Date.parse(a) - Date.parse(ats[0]!))).toEqual([0, 15_000, 30_000])
  })

  it('`optiinfra runtime --once --scrape` scrapes, pushes and prints the tick', async () => {
    const program = new Command().exitOverride()
    registerRuntimeCommand(program)
    const out: string[] = []
    const log = console.log
    console.log = (...a: unknown[]) => { out.push(a.join(' ')) }
    try {
      await program.parseAsync(['node', 'optiinfra', 'runtime', '--server', p.url, '--token', runtime.token, '--once', '--scrape', `dep-cli=${fx.url}/dcgm/metrics`])
    } finally { console.log = log }
    expect(process.exitCode ?? 0).toBe(0)
    process.exitCode = undefined
    expect(JSON.parse(out.join('\n'))).toMatchObject({ targets: 1, scraped: 1, pushed: { quarantined: 0 } })
  })
})

describe(`embedded runtime service on the simulated fleet (${testDbKind})`, () => {
  it('discovers the fleet, scrapes it over the platform URL and fills the metrics API', async () => {
    const other = await p.newCustomer('Fleet Co')
    await p.deps.twin!.registerFleet(other.customerId, SMALL_FLEET)
    const ticks: number[] = []
    const service = createRuntimeService(p.deps, { baseUrl: () => p.url, onTick: (c, r) => { if (c === other.customerId && r.pushed) ticks.push(r.targets) } })
    await service.start()
    try {
      const points = await waitFor(async () => {
        const res = await p.http('GET', `/customers/${other.customerId}/metrics?metric_type=p95_latency_ms`, { token: other.token })
        return res.body.length >= 2 ? res.body : null
      }, { timeoutMs: 30_000, what: 'p95 points from the embedded runtime' })
      expect(points[0].value).toBeGreaterThan(0)
      expect(ticks[0]).toBe(3) // one vLLM group + two instances' DCGM exporters
      for (const type of ['throughput_rps', 'gpu_utilization', 'kv_cache_usage', 'error_rate']) {
        const res = await p.http('GET', `/customers/${other.customerId}/metrics?metric_type=${type}`, { token: other.token })
        expect(res.body.length, type).toBeGreaterThan(0)
      }
      expect(await service.check!()).toMatch(/fleet/)
      // the scraped signals follow the simulated fleet: the derived p95 lies in the same
      // histogram bucket as the serving model's own p95 (a histogram cannot resolve finer)
      const now = p.deps.clock.now()
      const signals = await readDeploymentSignals(p.deps.db, other.customerId, 'chat-8b', { from: new Date(now.getTime() - 10 * 60_000), to: now })
      const truth = (await p.deps.twin!.servingStats(other.customerId, 'chat-8b', 'stable', now))!.stats!
      const bucketOf = (ms: number) => VLLM_BUCKETS.e2e.findIndex((le) => ms / 1000 <= le)
      expect(bucketOf(signals!.p95LatencyMs!)).toBe(bucketOf(truth.e2eMs.p95))
      expect(signals!.throughputRps!).toBeGreaterThan(truth.throughputRps * 0.7)
      expect(signals!.throughputRps!).toBeLessThan(truth.throughputRps * 1.3)
    } finally {
      await service.stop()
    }
    const live = await p.deps.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM access_tokens WHERE customer_id = $1 AND revoked_at IS NULL`, [other.customerId])
    expect(live[0]!.n).toBe(0)
  })

  it('runs in one replica at a time: a second one stands by and takes over when the first stops', async () => {
    const fleetCo = await p.newCustomer('Replica Co')
    await p.deps.twin!.registerFleet(fleetCo.customerId, SMALL_FLEET)
    const scraped = { a: 0, b: 0 }
    const replica = (name: 'a' | 'b') => createRuntimeService(p.deps, { baseUrl: () => p.url, onTick: (c) => { if (c === fleetCo.customerId) scraped[name] += 1 } })
    const [a, b] = [replica('a'), replica('b')]
    try {
      await a.tick()
      await b.tick()
      await a.tick()
      expect(scraped).toEqual({ a: 2, b: 0 })
      expect(await b.check!()).toMatch(/standby/)
      await a.stop()
      await b.tick()
      expect(scraped).toEqual({ a: 2, b: 1 })
    } finally {
      await Promise.all([a.stop(), b.stop()])
    }
  })
  it('reads GPUs from nvidia-smi (a file or the command), maps them onto DCGM series, and counts refused lines', async () => {
    const h200 = readFileSync(new URL('../telemetry/fixtures/nvidia-smi-h200-load.csv', import.meta.url), 'utf8')
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'smi-')), 'smi.csv')
    writeFileSync(file, `${h200}0, GPU-x, truncated line\n`)
    const clock = manualClock(new Date(p.deps.clock.now().getTime() - 4 * 60_000))
    const loop = new RuntimeLoop({
      server: p.url, token: runtime.token, intervalSeconds: 30, clock, scrapeUrls: [],
      smi: [{ ...parseSmiFlag(`dep-smi=${file}`), hostname: 'h200-node' }, { ...parseSmiFlag('dep-smi-cmd/canary'), hostname: 'no-driver' }],
      runSmi: async () => { throw new Error('nvidia-smi: command not found') },
    })
    const r = await loop.tick()
    expect(r).toMatchObject({ targets: 2, scraped: 1, failed: [{ url: 'nvidia-smi@no-driver', error: 'nvidia-smi: command not found' }], partial: [{ url: file, errors: 1 }] })
    expect(r.pushed).toMatchObject({ stored: r.records, quarantined: 0 })
    const value = async (metric: string, dep: string) => (await p.deps.db.query<{ value: number }>(
      `SELECT s.value FROM telemetry_samples s JOIN telemetry_series ser ON ser.id = s.series_id
       WHERE ser.customer_id = $1 AND ser.metric = $2 AND ser.deployment_id = $3`, [customer.customerId, metric, dep])).map((x) => x.value)
    // the newest row of the -l 1 capture: 100 % busy at 691.49 W
    expect(await value('DCGM_FI_DEV_POWER_USAGE', 'dep-smi')).toEqual([691.49])
    expect(await value('deployment:gpu_utilization', 'dep-smi')).toEqual([1])
    expect(await value('scrape_errors', 'dep-smi')).toEqual([1])
    expect(await value('up', 'dep-smi-cmd')).toEqual([0])
  })
})
