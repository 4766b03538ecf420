import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { renderPrometheusText } from './exposition.ts'
import { parsePrometheusText, type MetricFamily, type Sample } from './prometheus.ts'
import { deriveVllmSignals, type VllmSignals } from './vllm.ts'

const fixtureText = readFileSync(new URL('./fixtures/vllm-metrics-v1.txt', import.meta.url), 'utf8')
const parse = (text: string): MetricFamily[] => {
  const result = parsePrometheusText(text)
  expect(result.errors).toEqual([])
  return result.families
}

// Earliest `_created` in the fixture (the TTFT histogram), i.e. the engine start.
const FIXTURE_START_S = 1.795236211235536e9

describe('deriveVllmSignals on the vLLM fixture, single scrape (lifetime window)', () => {
  /*
   * Scraped 600 s after the earliest `_created`, so rates are lifetime averages over 600 s and
   * quantiles use the cumulative buckets.
   * | signal                  | expected                                    |
   * |-------------------------|---------------------------------------------|
   * | requestsRunning/Waiting | 14 / 3                                      |
   * | kvCacheUsage            | 0.4127                                      |
   * | preemptions             | 2                                           |
   * | requestRate             | 200 finished / 600 s = 0.3333               |
   * | errorRate               | (abort 2 + error 0) / 200 = 0.01            |
   * | generationTokensPerSec  | 66545 / 600 = 110.908                       |
   * | promptTokensPerSec      | 326629 / 600 = 544.382                      |
   * | ttftMs p50/p95/p99      | 473.684 / 895.833 / 979.167                 |
   * | itlMs  p50/p95/p99      | 29.167 / 47.917 / 49.583                    |
   * | e2eMs  p50/p95/p99      | 9015.152 / 14695.122 / 18000                |
   * | queueMs p95             | 460.784                                     |
   * | prefixCacheHitRate      | 101254 / 326629 = 0.30999                   |
   * | kvCapacityTokens        | 27152 blocks × 16 = 434432                  |
   * e.g. TTFT p50: rank 100 of 200 falls in (0.25, 0.5] holding 49→106: 0.25 + 0.25·51/57 s.
   */
  const signals = deriveVllmSignals({ atMs: (FIXTURE_START_S + 600) * 1000, families: parse(fixtureText) })

  it('reads the gauges and the model', () => {
    expect(signals).toMatchObject({ model: 'meta-llama/Llama-3.1-8B-Instruct', models: ['meta-llama/Llama-3.1-8B-Instruct'], requestsRunning: 14, requestsWaiting: 3, kvCacheUsage: 0.4127, kvCapacityTokens: 434432 })
  })

  it('averages counters over the time since the counters were created', () => {
    expect(signals.windowSeconds).toBeCloseTo(600, 3)
    expect(signals.preemptions).toBe(2)
    expect(signals.requestRate).toBeCloseTo(200 / 600, 6)
    expect(signals.errorRate).toBeCloseTo(0.01, 12)
    expect(signals.generationTokensPerSec).toBeCloseTo(66545 / 600, 3)
    expect(signals.promptTokensPerSec).toBeCloseTo(326629 / 600, 3)
    expect(signals.prefixCacheHitRate).toBeCloseTo(101254 / 326629, 12)
  })

  it('turns histogram seconds into millisecond quantiles', () => {
    expect(signals.ttftMs.p50).toBeCloseTo(473.684, 3)
    expect(signals.ttftMs.p95).toBeCloseTo(895.833, 3)
    expect(signals.ttftMs.p99).toBeCloseTo(979.167, 3)
    expect(signals.itlMs.p50).toBeCloseTo(29.167, 3)
    expect(signals.itlMs.p95).toBeCloseTo(47.917, 3)
    expect(signals.itlMs.p99).toBeCloseTo(49.583, 3)
    expect(signals.e2eMs.p50).toBeCloseTo(9015.152, 3)
    expect(signals.e2eMs.p95).toBeCloseTo(14695.122, 3)
    expect(signals.e2eMs.p99).toBeCloseTo(18000, 6)
    expect(signals.queueMs.p95).toBeCloseTo(460.784, 3)
  })

  it('gives the same signals for the pre-rename metric names (vLLM ≤ 0.10/0.11)', () => {
    const legacy = fixtureText
      .replaceAll('vllm:kv_cache_usage_perc', 'vllm:gpu_cache_usage_perc')
      .replaceAll('vllm:inter_token_latency_seconds', 'vllm:time_per_output_token_seconds')
      .replaceAll('vllm:prefix_cache_', 'vllm:gpu_prefix_cache_')
    expect(legacy).not.toContain('vllm:kv_cache_usage_perc')
    const old = deriveVllmSignals({ atMs: (FIXTURE_START_S + 600) * 1000, families: parse(legacy) })
    expect(old).toEqual(signals)
  })
})

// Builds a two-engine scrape through the renderer, as the fleet simulator would serve it.
interface EngineState {
  engine: string
  model?: string
  running: number
  waiting: number
  kv: number
  success: Record<'stop' | 'length' | 'abort' | 'error', number>
  generation: number
  prompt: number
  preemptions: number
  prefix: [queries: number, hits: number]
  ttft: [number, number, number, number] // cumulative at le 0.1, 0.5, 1, +Inf
  created?: number
}

const TTFT_LE = ['0.1', '0.5', '1.0', '+Inf']

function scrape(engines: EngineState[]): MetricFamily[] {
  const labels = (e: EngineState): Record<string, string> => ({ engine: e.engine, model_name: e.model ?? 'llama' })
  const gauge = (name: string, pick: (e: EngineState) => number): MetricFamily => ({ name, type: 'gauge', samples: engines.map((e) => ({ name, labels: labels(e), value: pick(e) })) })
  const counter = (name: string, pick: (e: EngineState) => number): MetricFamily[] => [
    { name, type: 'counter', samples: engines.map((e) => ({ name, labels: labels(e), value: pick(e) })) },
    gauge(name.replace(/_total$/, '_created'), (e) => e.created ?? 1.7e9),
  ]
  const success: Sample[] = engines.flatMap((e) =>
    Object.entries(e.success).map(([reason, value]) => ({ name: 'vllm:request_success_total', labels: { engine: e.engine, finished_reason: reason, model_name: e.model ?? 'llama' }, value })),
  )
  const ttft: Sample[] = engines.flatMap((e) => [
    ...TTFT_LE.map((le, i) => ({ name: 'vllm:time_to_first_token_seconds_bucket', labels: { ...labels(e), le }, value: e.ttft[i] as number })),
    { name: 'vllm:time_to_first_token_seconds_count', labels: labels(e), value: e.ttft[3] },
    { name: 'vllm:time_to_first_token_seconds_sum', labels: labels(e), value: e.ttft[3] * 0.4 },
  ])
  const families: MetricFamily[] = [
    gauge('vllm:num_requests_running', (e) => e.running),
    gauge('vllm:num_requests_waiting', (e) => e.waiting),
    gauge('vllm:kv_cache_usage_perc', (e) => e.kv),
    ...counter('vllm:num_preemptions_total', (e) => e.preemptions),
    ...counter('vllm:generation_tokens_total', (e) => e.generation),
    ...counter('vllm:prompt_tokens_total', (e) => e.prompt),
    ...counter('vllm:prefix_cache_queries_total', (e) => e.prefix[0]),
    ...counter('vllm:prefix_cache_hits_total', (e) => e.prefix[1]),
    { name: 'vllm:request_success_total', type: 'counter', samples: success },
    { name: 'vllm:time_to_first_token_seconds', type: 'histogram', samples: ttft },
    gauge('vllm:time_to_first_token_seconds_created', (e) => e.created ?? 1.7e9),
  ]
  return parse(renderPrometheusText(families, { numberStyle: 'python' }))
}

const before0: EngineState = { engine: '0', running: 4, waiting: 2, kv: 0.4, success: { stop: 100, length: 10, abort: 5, error: 0 }, generation: 10000, prompt: 20000, preemptions: 3, prefix: [20000, 5000], ttft: [10, 50, 90, 100] }
const before1: EngineState = { engine: '1', running: 3, waiting: 0, kv: 0.2, success: { stop: 50, length: 0, abort: 0, error: 0 }, generation: 5000, prompt: 10000, preemptions: 1, prefix: [10000, 2000], ttft: [0, 20, 40, 50] }
const now0: EngineState = { engine: '0', running: 5, waiting: 1, kv: 0.5, success: { stop: 160, length: 16, abort: 9, error: 2 }, generation: 16000, prompt: 26000, preemptions: 5, prefix: [26000, 8000], ttft: [30, 110, 180, 200] }
const now1: EngineState = { engine: '1', running: 7, waiting: 0, kv: 0.7, success: { stop: 74, length: 0, abort: 0, error: 0 }, generation: 8000, prompt: 16000, preemptions: 1, prefix: [16000, 5000], ttft: [0, 40, 90, 100] }

describe('deriveVllmSignals between two scrapes of a two-engine server', () => {
  /*
   * 60 s apart. Deltas summed over engines 0 and 1:
   * | signal                 | engine 0 Δ        | engine 1 Δ   | result                      |
   * |------------------------|-------------------|--------------|-----------------------------|
   * | finished requests      | 60+6+4+2 = 72     | 24           | 96 / 60 s = 1.6 req/s       |
   * | abort + error          | 4 + 2             | 0            | 6 / 96 = 0.0625             |
   * | generation tokens      | 6000              | 3000         | 9000 / 60 = 150 tok/s       |
   * | prompt tokens          | 6000              | 6000         | 12000 / 60 = 200 tok/s      |
   * | preemptions            | 2                 | 0            | 2                           |
   * | prefix hits / queries  | 3000 / 6000       | 3000 / 6000  | 0.5                         |
   * | running / waiting / kv | 5 / 1 / 0.5       | 7 / 0 / 0.7  | 12 / 1 / mean 0.6           |
   * | TTFT Δ buckets         | 20,60,90,100      | 0,20,50,50   | 20,80,140,150 (≤0.1,0.5,1,∞)|
   * TTFT p50: rank 75 in (0.1, 0.5] holding 20→80: 0.1 + 0.4·55/60 = 0.46667 s → 466.67 ms.
   * TTFT p95/p99: rank 142.5/148.5 > 140 → the +Inf bucket → highest finite bound 1 s.
   * Cumulative (no `before`) TTFT p50 would instead be 500 ms: rank 150 of 300 at le 0.5.
   */
  const signals = deriveVllmSignals({ atMs: 1_000_060_000, families: scrape([now0, now1]) }, { atMs: 1_000_000_000, families: scrape([before0, before1]) })

  it('sums counter deltas over engines and divides by the window', () => {
    const expected: Partial<VllmSignals> = { windowSeconds: 60, requestsRunning: 12, requestsWaiting: 1, preemptions: 2, model: 'llama' }
    expect(signals).toMatchObject(expected)
    expect(signals.kvCacheUsage).toBeCloseTo(0.6, 12)
    expect(signals.requestRate).toBeCloseTo(1.6, 12)
    expect(signals.errorRate).toBeCloseTo(0.0625, 12)
    expect(signals.generationTokensPerSec).toBeCloseTo(150, 12)
    expect(signals.promptTokensPerSec).toBeCloseTo(200, 12)
    expect(signals.prefixCacheHitRate).toBeCloseTo(0.5, 12)
  })

  it('takes histogram quantiles over the window, not since start', () => {
    expect(signals.ttftMs.p50).toBeCloseTo(466.667, 3)
    expect(signals.ttftMs.p95).toBe(1000)
    expect(signals.ttftMs.p99).toBe(1000)
    const cumulative = deriveVllmSignals({ atMs: 0, families: scrape([now0, now1]) })
    expect(cumulative.ttftMs.p50).toBeCloseTo(500, 9)
  })

  it('reports NaN latencies for histograms the scrape does not have', () => {
    expect(signals.itlMs.p50).toBeNaN()
    expect(signals.e2eMs.p99).toBeNaN()
    expect(signals.queueMs.p95).toBeNaN()
  })

  it('uses the current value as the delta for a series whose counter went down (restart)', () => {
    // Engine 1 restarted: 1200 generation tokens now vs 5000 before → Δ = 6000 + 1200.
    const restarted = deriveVllmSignals({ atMs: 1_000_060_000, families: scrape([now0, { ...now1, generation: 1200 }]) }, { atMs: 1_000_000_000, families: scrape([before0, before1]) })
    expect(restarted.generationTokensPerSec).toBeCloseTo(7200 / 60, 12)
  })

  it('uses the current value as the delta when _created changed although the counter grew', () => {
    // Engine 1 restarted and already passed its old values: Δ is its whole new count.
    const fresh = { ...now1, created: 1.8e9 }
    const restarted = deriveVllmSignals({ atMs: 1_000_060_000, families: scrape([now0, fresh]) }, { atMs: 1_000_000_000, families: scrape([before0, before1]) })
    expect(restarted.generationTokensPerSec).toBeCloseTo((6000 + 8000) / 60, 12)
    // TTFT: engine 0 Δ (20,60,90,100) + engine 1 whole (0,40,90,100) = 20,100,180,200 → p50 rank 100 at le 0.5.
    expect(restarted.ttftMs.p50).toBeCloseTo(100 + 400 * (80 / 80), 9)
  })

  it('reports every model and no single model when a scrape serves several', () => {
    const multi = deriveVllmSignals({ atMs: 0, families: scrape([{ ...now0, model: 'b-model' }, { ...now1, model: 'a-model' }]) })
    expect(multi.model).toBeUndefined()
    expect(multi.models).toEqual(['a-model', 'b-model'])
  })

  it('reports zero rates when the window is unknown', () => {
    const noCreated = scrape([now0]).filter((f) => !f.name.endsWith('_created'))
    const signalsNoWindow = deriveVllmSignals({ atMs: 5_000, families: noCreated })
    expect(signalsNoWindow).toMatchObject({ windowSeconds: 0, requestRate: 0, generationTokensPerSec: 0, preemptions: 5 })
  })

  it('returns neutral signals for a scrape without vLLM metrics', () => {
    const empty = deriveVllmSignals({ atMs: 0, families: [] })
    expect(empty).toMatchObject({ models: [], requestsRunning: 0, requestsWaiting: 0, kvCacheUsage: 0, requestRate: 0, errorRate: 0 })
    expect(empty.prefixCacheHitRate).toBeUndefined()
    expect(empty.kvCapacityTokens).toBeUndefined()
  })
})
