import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freshDb, testDbKind } from '../../test/db.ts'
import type { Db } from '../../db/db.ts'
import type { MetricFamily } from '../../telemetry/prometheus.ts'
import type { ScrapeResult } from './scrape.ts'
import { simFixture, type SimFixture } from './testing.ts'
import type { FleetSpec } from './register-plan.ts'

let db: Db
let drop: () => Promise<void>
beforeAll(async () => { ({ db, drop } = await freshDb()) }, 60_000)
afterAll(async () => { await db?.close(); await drop?.() })

function families(r: ScrapeResult): MetricFamily[] {
  if (r.status !== 200) throw new Error(`scrape failed: ${r.status} ${r.message}`)
  return r.families
}
const value = (f: MetricFamily[], name: string, labels: Record<string, string> = {}) =>
  f.flatMap((x) => x.samples).filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)).reduce((a, s) => a + s.value, 0)
const served = (f: MetricFamily[]) => value(f, 'vllm:request_success_total') - value(f, 'vllm:request_success_total', { finished_reason: 'error' })

/** Prometheus histogram_quantile over the bucket deltas of two scrapes (linear inside a bucket). */
function deltaQuantile(a: MetricFamily[], b: MetricFamily[], base: string, q: number): number {
  const buckets = b.flatMap((x) => x.samples).filter((s) => s.name === `${base}_bucket`)
  const prev = new Map(a.flatMap((x) => x.samples).filter((s) => s.name === `${base}_bucket`).map((s) => [s.labels.le, s.value]))
  const rows = buckets.map((s) => ({ le: s.labels.le === '+Inf' ? Infinity : Number(s.labels.le), n: s.value - (prev.get(s.labels.le) ?? 0) }))
  const total = rows.at(-1)!.n
  let lower = 0
  let below = 0
  for (const r of rows) {
    if (r.n >= q * total) return r.le === Infinity ? lower : lower + ((r.le - lower) * (q * total - below)) / Math.max(1e-12, r.n - below)
    lower = r.le
    below = r.n
  }
  return lower
}

async function window(f: SimFixture, group: 'stable' | 'canary', ms: number) {
  const a = families(await f.sim.scrapeVllm(f.customerId, 'chat-8b', group))
  f.clock.advance(ms / 2)
  const mid = await f.sim.servingStats(f.customerId, 'chat-8b', group)
  f.clock.advance(ms / 2)
  const b = families(await f.sim.scrapeVllm(f.customerId, 'chat-8b', group))
  const seconds = ms / 1000
  return {
    mid: mid!, a, b,
    servedRps: (served(b) - served(a)) / seconds,
    errorShare: (value(b, 'vllm:request_success_total', { finished_reason: 'error' }) - value(a, 'vllm:request_success_total', { finished_reason: 'error' })) / ((value(b, 'vllm:request_success_total') - value(a, 'vllm:request_success_total')) || 1),
    genRate: (value(b, 'vllm:generation_tokens_total') - value(a, 'vllm:generation_tokens_total')) / seconds,
    e2eP95: deltaQuantile(a, b, 'vllm:e2e_request_latency_seconds', 0.95),
    e2eMean: (value(b, 'vllm:e2e_request_latency_seconds_sum') - value(a, 'vllm:e2e_request_latency_seconds_sum')) / (value(b, 'vllm:e2e_request_latency_seconds_count') - value(a, 'vllm:e2e_request_latency_seconds_count')),
  }
}

const fleet = (type: string, rps: number, count = 2): FleetSpec => ({
  instances: Array.from({ length: count }, (_, i) => ({ instance_id: `i-m-${i}`, instance_type: type })),
  vllm_deployments: [{ deployment_id: 'chat-8b', model: 'meta-llama/Meta-Llama-3-8B-Instruct', instance_ids: Array.from({ length: count }, (_, i) => `i-m-${i}`), requests_per_second: rps, prompt_tokens: 512, output_tokens: 128 }],
})

describe(`scraped metrics follow the serving model on ${testDbKind}`, () => {
  it('gives counter deltas that match the modelled rates between two scrapes', async () => {
    const f = await simFixture(db, fleet('g6e.xlarge', 8))
    const w = await window(f, 'stable', 60_000)
    expect(w.servedRps).toBeCloseTo(w.mid.stats!.throughputRps, 1)
    expect(w.genRate / w.mid.stats!.generationTokensPerSec).toBeCloseTo(1, 2)
    expect(w.e2eP95 / (w.mid.stats!.e2eMs.p95 / 1000)).toBeGreaterThan(0.7)
    expect(w.e2eP95 / (w.mid.stats!.e2eMs.p95 / 1000)).toBeLessThan(1.3)
    const inf = value(w.b, 'vllm:time_to_first_token_seconds_bucket', { le: '+Inf' })
    expect(inf).toBeCloseTo(value(w.b, 'vllm:time_to_first_token_seconds_count'), 6)
  })

  it('shows a higher p95 and KV usage under more load', async () => {
    const light = await window(await simFixture(db, fleet('g6e.xlarge', 8)), 'stable', 120_000)
    const heavy = await window(await simFixture(db, fleet('g6e.xlarge', 45)), 'stable', 120_000)
    expect(heavy.e2eP95).toBeGreaterThan(light.e2eP95 * 1.2)
    expect(value(heavy.b, 'vllm:kv_cache_usage_perc')).toBeGreaterThan(value(light.b, 'vllm:kv_cache_usage_perc'))
    expect(value(heavy.b, 'vllm:num_requests_running')).toBeGreaterThan(value(light.b, 'vllm:num_requests_running'))
  })

  it('raises served throughput ~1.5× when an overloaded H100 group moves to FP8 (docs/simulator.md: up to 1.6×)', async () => {
    const probe = await simFixture(db, fleet('p5.4xlarge', 1, 1))
    const capacity16 = (await probe.sim.servingStats(probe.customerId, 'chat-8b', 'stable'))!.stats!.maxRpsCapacity
    const f = await simFixture(db, fleet('p5.4xlarge', Math.round(capacity16 * 1.6), 1))
    const fp16 = await window(f, 'stable', 120_000)
    const launched = await f.sim.launchInstances({ changeId: 'l', customerId: f.customerId, deploymentId: 'chat-8b', pool: { cloud: 'aws', region: 'us-east-1', instanceType: 'p5.4xlarge', pricing: 'on-demand', count: 1 } })
    f.clock.advance(180_000)
    const config = { ...fp16.mid.config, quantization: 'fp8' as const }
    await f.sim.setCanary({ changeId: 'c', customerId: f.customerId, deploymentId: 'chat-8b', group: { instanceIds: launched.ok ? [launched.value[0]!.id] : [], config }, weight: 100 })
    const promoted = await f.sim.promoteCanary({ changeId: 'p', customerId: f.customerId, deploymentId: 'chat-8b' })
    await f.sim.terminateInstances({ changeId: 't', customerId: f.customerId, instanceIds: promoted.ok ? promoted.value.retiredInstanceIds : [] })
    const fp8 = await window(f, 'stable', 120_000)
    expect(fp16.errorShare).toBeGreaterThan(0.2) // overloaded: FP16 sheds load
    expect(fp8.servedRps / fp16.servedRps).toBeGreaterThan(1.35)
    expect(fp8.servedRps / fp16.servedRps).toBeLessThan(1.7)
    expect(fp8.genRate).toBeGreaterThan(fp16.genRate * 1.35)
  })

  it('applies latency and error faults to the targeted group only', async () => {
    const f = await simFixture(db, fleet('g6e.xlarge', 8, 3))
    const before = await window(f, 'stable', 60_000)
    const cfg = before.mid.config
    // i-m-2 is a stable member: re-registering the stable group without it frees it for the canary
    await f.sim.registerFleet(f.customerId, { vllm_deployments: [{ deployment_id: 'chat-8b', model: 'meta-llama/Meta-Llama-3-8B-Instruct', instance_ids: ['i-m-0', 'i-m-1'], requests_per_second: 8, prompt_tokens: 512, output_tokens: 128 }] })
    const set = await f.sim.setCanary({ changeId: 'c2', customerId: f.customerId, deploymentId: 'chat-8b', group: { instanceIds: ['i-m-2'], config: cfg }, weight: 50 })
    expect(set.ok).toBe(true)
    await f.sim.injectFault({ customer_id: f.customerId, deployment_id: 'chat-8b', target: 'canary', kind: 'error_burst', magnitude: 0.2 })
    await f.sim.injectFault({ customer_id: f.customerId, deployment_id: 'chat-8b', target: 'stable', kind: 'latency_spike', magnitude: 3 })
    const canary = await window(f, 'canary', 60_000)
    const stable = await window(f, 'stable', 60_000)
    expect(canary.errorShare).toBeCloseTo(0.2, 2)
    expect(stable.errorShare).toBeLessThan(0.01)
    expect(stable.e2eMean / (stable.mid.stats!.e2eMs.p50 / 1000)).toBeGreaterThan(1) // mean above median, both ×3
    expect(stable.mid.effects.latencyFactor).toBe(3)
    expect(stable.e2eMean).toBeGreaterThan(before.e2eMean * 2)
  })

  it('serves a traffic surge as more offered requests, and the counters and latency follow it', async () => {
    const f = await simFixture(db, fleet('g6e.xlarge', 8, 3))
    const before = await window(f, 'stable', 120_000)
    await f.sim.injectFault({ customer_id: f.customerId, deployment_id: 'chat-8b', target: 'all', kind: 'traffic_surge', magnitude: 3 })
    const surge = await window(f, 'stable', 120_000)
    expect(surge.mid.effects.trafficFactor).toBe(3)
    // the day moves on between the windows: the rate is three times the day's, within its drift
    expect(surge.mid.rps / before.mid.rps).toBeCloseTo(3, 1)
    expect(surge.servedRps / before.servedRps).toBeGreaterThan(2.5)
    expect(surge.servedRps / before.servedRps).toBeLessThan(3.5)
    expect(surge.mid.stats!.e2eMs.p95).toBeGreaterThan(before.mid.stats!.e2eMs.p95)
    await expect(f.sim.injectFault({ customer_id: f.customerId, kind: 'traffic_surge', target: 'all', magnitude: 0 })).rejects.toThrow(/request-rate multiplier/)
  })

  it('keeps counters cumulative across canary changes and restarts of the scrape', async () => {
    const f = await simFixture(db, fleet('g6e.xlarge', 8, 3))
    let last = 0
    for (let i = 0; i < 4; i++) {
      const now = served(families(await f.sim.scrapeVllm(f.customerId, 'chat-8b', 'stable')))
      expect(now).toBeGreaterThanOrEqual(last)
      last = now
      f.clock.advance(45_000)
      if (i === 1) await f.sim.abortCanary({ changeId: `a${i}`, customerId: f.customerId, deploymentId: 'chat-8b' })
    }
    expect(last).toBeGreaterThan(8 * 45 * 3 * 0.7)
  })
})
