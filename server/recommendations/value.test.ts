import { describe, expect, it } from 'vitest'
import { valueOf } from './value.ts'

describe('recommendation value', () => {
  it('is the savings of a cost change', () => {
    expect(valueOf(19_146, { monthlyCostUsdBefore: 40_179, monthlyCostUsdAfter: 21_033 })).toEqual({ kind: 'savings', monthly_usd: 19_146, capacity_ratio: null, p95_change: null })
  })

  it('is the freed capacity\'s monthly equivalent for a speed-up that saves nothing, with the latency change', () => {
    const v = valueOf(0, { monthlyCostUsdBefore: 16_000, monthlyCostUsdAfter: 16_000, throughputCapacityRatio: 1.6, p95LatencyMsBefore: 2000, p95LatencyMsAfter: 1500 })
    expect(v).toEqual({ kind: 'capacity', monthly_usd: 6000, capacity_ratio: 1.6, p95_change: -0.25 })
  })

  it('keeps the savings when they are worth more than the capacity', () => {
    expect(valueOf(9000, { monthlyCostUsdBefore: 16_000, monthlyCostUsdAfter: 7000, throughputCapacityRatio: 1.1 }).kind).toBe('savings')
  })

  it('is the (negative) extra cost of adding capacity, so it sorts after what saves money', () => {
    expect(valueOf(-8151.18, { monthlyCostUsdBefore: 1358.53, monthlyCostUsdAfter: 9509.71, throughputCapacityRatio: 7 })).toMatchObject({ kind: 'cost', monthly_usd: -8151.18, capacity_ratio: 7 })
  })
})
