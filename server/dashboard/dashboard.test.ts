import { describe, expect, it } from 'vitest'
import { fleetCompliance, realizedTotal, sloCompliance, sumUsd, weightedScore } from './dashboard.ts'

describe('dashboard figures', () => {
  it('counts each completed change\'s savings settled from the bill where there is one, its run-rate figure elsewhere', () => {
    const completed = [{ id: 'a', result: { actual_savings: 1000 } }, { id: 'b', result: { actual_savings: 500 } }, { id: 'c', result: {} }]
    expect(realizedTotal(completed, new Map([['a', { actual_savings: 940.5 }]]))).toEqual({ total: 1440.5, settled: 1, completed: 3 })
    expect(realizedTotal([], new Map())).toEqual({ total: 0, settled: 0, completed: 0 })
  })

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
