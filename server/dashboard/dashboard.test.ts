import { describe, expect, it } from 'vitest'
import { fleetCompliance, sloCompliance, sumUsd, weightedScore } from './dashboard.ts'

describe('dashboard figures', () => {
  it('sums money to the cent, skipping missing values', () => expect(sumUsd([1.005, 2.114, null, undefined, Number.NaN])).toBe(3.12))
  it('judges SLO compliance per deployment from measured values, null without data', () => {
    const slo = { p95Ms: 1000, p99Ms: 1500, maxErrorRate: 0.001 }
    expect(sloCompliance({ p95: 620, p99: 780, errorRate: 0.0002 }, slo)).toBe(true)
    expect(sloCompliance({ p95: 1600, p99: 780, errorRate: 0.0002 }, slo)).toBe(false)
    expect(sloCompliance({ p95: null, p99: null, errorRate: null }, slo)).toBeNull()
    expect(fleetCompliance([true, null, false])).toBe(false)
    expect(fleetCompliance([null])).toBeNull()
  })
  it('weights quality scores by their sample counts', () => {
    expect(weightedScore([{ score: 0.9, samples: 30 }, { score: 0.8, samples: 10 }])).toBe(0.875)
    expect(weightedScore([])).toBeNull()
  })
})
