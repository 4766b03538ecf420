import { describe, expect, it } from 'vitest'
import { Sampler } from '../generator/distributions.ts'
import { DEFAULT_LATENCY_GATE, judgeLatency, latencyClip, latencyLogRatio, toUnit } from './latency.ts'

const intervals = (n: number, ratio: number, sd: number, seed: number) => {
  const rng = new Sampler(seed)
  return Array.from({ length: n }, () => latencyLogRatio(ratio * Math.exp(sd * rng.normal()), 1)!)
}

describe('latency regression gate', () => {
  it('maps equal p95s to ½ and clips at four times the tolerated log ratio', () => {
    const clip = latencyClip(DEFAULT_LATENCY_GATE)
    expect(clip).toBeCloseTo(4 * Math.log(1.05), 12)
    expect(toUnit(latencyLogRatio(500, 500)!, clip)).toBe(0.5)
    expect(toUnit(latencyLogRatio(5000, 500)!, clip)).toBe(1)
    // the threshold sits at 5/8 of the range, whatever the tolerance
    expect(toUnit(Math.log(1.2), latencyClip({ toleratedRegression: 0.2 }))).toBeCloseTo(0.625, 12)
    expect(latencyLogRatio(null, 500)).toBeNull()
  })
  it('fails a 10% p95 regression against a 5% tolerance within the bench\'s 50 intervals', () => {
    expect(judgeLatency(intervals(50, 1.1, 0.06, 4)).verdict).toBe('failed')
  })
  it('fails a 30% p95 regression', () => expect(judgeLatency(intervals(20, 1.3, 0.05, 1)).verdict).toBe('failed'))
  it('does not fail an unchanged canary and narrows its bounds as intervals accumulate', () => {
    const v20 = judgeLatency(intervals(20, 1, 0.05, 2))
    const v50 = judgeLatency(intervals(50, 1, 0.05, 2))
    expect(v50.verdict).not.toBe('failed')
    expect(v50.upper! - v50.lower!).toBeLessThan(v20.upper! - v20.lower!)
  })
  it('is inconclusive before the minimum of intervals', () => expect(judgeLatency(intervals(2, 1, 0.01, 3)).verdict).toBe('inconclusive'))
})
