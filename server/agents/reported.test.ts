import { describe, expect, it } from 'vitest'
import { latencyBudget, meetsBudget, type GroupPrediction } from './fleet.ts'
import { reportedP95, reportedP99 } from './reported.ts'

const prediction = (p50Ms: number, p95Ms: number, p99Ms: number): GroupPrediction => ({
  fits: true, p50Ms, p95Ms, p99Ms, ttftP95Ms: 100, itlP50Ms: 20, queueP95Ms: 0, errorRate: 0, saturation: 0.5, capacityRps: 10, kvCacheUsage: 0.3, preemptionsPerSec: 0, warnings: [],
})

describe('latency as telemetry reports it', () => {
  it('reads a prediction as vLLM\'s buckets will report it: exact at a bucket bound, interpolated inside a wide bucket', () => {
    // a lognormal whose p95 sits on the 20-s bound reports 20 s; one inside 20–30 s reports the linear interpolation
    expect(reportedP95({ p50Ms: 8000, p95Ms: 20_000, p99Ms: 30_000 })).toBeCloseTo(20_000, -1)
    const inside = reportedP95({ p50Ms: 10_000, p95Ms: 25_000, p99Ms: 35_000 })
    expect(inside).toBeGreaterThan(20_000)
    expect(inside).toBeLessThan(30_000)
    expect(Math.abs(inside - 25_000)).toBeGreaterThan(100)
    expect(reportedP95({ p50Ms: 1, p95Ms: Number.POSITIVE_INFINITY, p99Ms: Number.POSITIVE_INFINITY })).toBe(Number.POSITIVE_INFINITY)
  })

  it('reads a p99 inside the 2.5–5 s bucket well above the exact one, as histogram_quantile does', () => {
    // exact p99 3.3 s: the bucket's linear interpolation reads about 4.6 s
    const p99 = reportedP99({ p50Ms: 1500, p95Ms: 2600, p99Ms: 3300 })
    expect(p99).toBeGreaterThan(3300 * 1.3)
    expect(p99).toBeLessThan(5000)
  })

  it('refuses a plan whose exact p99 meets the SLO but whose reported p99, what the canary rule reads, does not', () => {
    const after = prediction(1500, 2600, 3300)
    const slo = { p95Ms: 4000, p99Ms: 4000, maxErrorRate: 0.01, minQuality: 0.9 }
    const budget = latencyBudget(slo, prediction(800, 1200, 1500))
    expect(budget.p99Ms).toBe(4000)
    expect(after.p99Ms).toBeLessThan(budget.p99Ms)
    expect(meetsBudget(after, budget)).toBe(false)
    expect(meetsBudget(after, { ...budget, p99Ms: 5000 })).toBe(true)
  })

  it('takes "no worse than today" from today\'s reported latency, times the calibration', () => {
    const today = prediction(1500, 2600, 3300)
    const slo = { p95Ms: 1000, p99Ms: 1500, maxErrorRate: 0.01, minQuality: 0.9 }
    expect(latencyBudget(slo, today).p99Ms).toBeCloseTo(reportedP99(today) * 1.05, 6)
    expect(latencyBudget(slo, today, 1.2).p95Ms).toBeCloseTo(reportedP95(today) * 1.2 * 1.05, 6)
  })
})
