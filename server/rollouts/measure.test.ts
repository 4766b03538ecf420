import { describe, expect, it } from 'vitest'
import { emptyGroupCounters, accrueGroup } from '../cloud/simulator/counters.ts'
import { vllmFamilies } from '../cloud/simulator/vllm-metrics.ts'
import { defaultEngineConfig, type ServingStats } from '../cloud/model/serving.ts'
import { renderPrometheusText } from '../telemetry/exposition.ts'
import { parsePrometheusText } from '../telemetry/prometheus.ts'
import { endpointUrl, windowSignals, type Snapshot } from './measure.ts'
import { sloMeasurements, errorMeasurements } from './bake.ts'
import { thresholdsFor } from './rollout.ts'

const stats = (p95: number, errorRate: number) => ({
  fits: true, ttftMs: { p50: 100, p95: 200, p99: 300 }, itlMs: { p50: 20, p95: 30, p99: 40 }, e2eMs: { p50: p95 / 2, p95, p99: p95 * 1.4 }, queueMs: { p50: 0, p95: 0, p99: 0 },
  throughputRps: 10 * (1 - errorRate), generationTokensPerSec: 480, errorRate, prefixCacheHitRate: 0, preemptionsPerSec: 0,
}) as unknown as ServingStats

/** Two scrapes of a simulated vLLM server 60 s apart, through the real exposition text and parser. */
function scrapes(p95: number, errorRate: number): [Snapshot, Snapshot] {
  const t0 = new Date('2026-01-01T00:00:00Z')
  const snap = (c: ReturnType<typeof emptyGroupCounters>, at: Date): Snapshot => {
    const text = renderPrometheusText(vllmFamilies('m', c, { running: 1, waiting: 0, kvCacheUsage: 0.2, kvCacheTokens: 1000 }, defaultEngineConfig, t0))
    return { at: at.toISOString(), families: parsePrometheusText(text).families }
  }
  const c = accrueGroup(emptyGroupCounters(), stats(p95, errorRate), 10, 512, 600)
  const before = snap(structuredClone(c), new Date(t0.getTime() + 600_000))
  const after = snap(accrueGroup(c, stats(p95, errorRate), 10, 512, 60), new Date(t0.getTime() + 660_000))
  return [after, before]
}

describe('measuring an interval from two /metrics scrapes', () => {
  it('derives the interval’s request count, error rate and tail latency from the deltas', () => {
    const [after, before] = scrapes(800, 0.02)
    const s = windowSignals(after, before)
    expect(s.requests).toBeCloseTo(600, 0)
    expect(s.errorRate).toBeCloseTo(0.02, 3)
    expect(s.rps).toBeCloseTo(10, 1)
    expect(s.p95Ms!).toBeGreaterThan(600)
    expect(s.p95Ms!).toBeLessThan(1000)
    expect(s.p99Ms!).toBeGreaterThan(s.p95Ms!)
  })
  it('classifies a slow, erroring canary as failed against a healthy stable', () => {
    const [ca, cb] = scrapes(3000, 0.05)
    const [sa, sb] = scrapes(700, 0.0001)
    const ms = sloMeasurements(windowSignals(ca, cb), windowSignals(sa, sb), thresholdsFor(null), new Date())
    expect(ms.map((m) => `${m.metric}:${m.phase}`)).toEqual(['p95_latency_ms:failed', 'p99_latency_ms:failed', 'error_rate:failed'])
    expect(errorMeasurements('down', new Date()).every((m) => m.phase === 'error')).toBe(true)
  })
  it('resolves relative endpoint paths against the platform URL', () => {
    expect(endpointUrl('http://127.0.0.1:9/', '/sim/x/metrics')).toBe('http://127.0.0.1:9/sim/x/metrics')
    expect(endpointUrl('http://a', 'https://fleet.example/metrics')).toBe('https://fleet.example/metrics')
  })
})
