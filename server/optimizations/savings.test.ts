import { describe, expect, it } from 'vitest'
import { realizedSavings } from './savings.ts'
import { HOURS_PER_MONTH } from '../spend/run-rate.ts'
import { planMonthlyUsd } from './approve.ts'

describe('realized savings', () => {
  it('reports realized vs predicted savings and the prediction error', () => {
    expect(realizedSavings(32_000, 11_000, 20_000)).toEqual({ actual: 21_000, predicted: 20_000, prediction_error: 0.05, cost_reduction: 0.6563 })
    expect(realizedSavings(100, 100, 0).prediction_error).toBeNull()
  })
  it('prices a plan from quotes, and says when a pool has no price', () => {
    const q = [{ cloud: 'aws' as const, region: 'r', instanceType: 't', gpuType: 'A100', gpuCount: 8, onDemandHourlyUsd: 20, spotHourlyUsd: 7 }]
    expect(planMonthlyUsd([{ cloud: 'aws', region: 'r', instanceType: 't', pricing: 'spot', count: 2 }], q)).toBeCloseTo(14 * HOURS_PER_MONTH, 6)
    expect(planMonthlyUsd([{ cloud: 'aws', region: 'r', instanceType: 't', pricing: 'reserved', count: 1 }], q)).toBeNull()
  })
})
