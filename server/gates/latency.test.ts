import { describe, expect, it } from 'vitest'
import { Sampler } from '../generator/distributions.ts'
import { judgeLatency, latencyObservation } from './latency.ts'

const intervals = (n: number, ratio: number, sd: number, seed: number) => {
  const rng = new Sampler(seed)
  return Array.from({ length: n }, () => latencyObservation(ratio * Math.exp(sd * rng.normal()), 1)!)
}

describe('latency regression gate', () => {
  it('maps equal p95s to ½ and clips beyond a doubling', () => {
    expect(latencyObservation(500, 500)).toBe(0.5)
    expect(latencyObservation(5000, 500)).toBe(1)
    expect(latencyObservation(null, 500)).toBeNull()
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
