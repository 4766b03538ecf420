import { describe, expect, it } from 'vitest'
import { costRegression, realizedSavings } from './savings.ts'
import { HOURS_PER_MONTH } from '../spend/run-rate.ts'
import { planMonthlyUsd } from './approve.ts'

describe('realized savings', () => {
  it('reports realized vs predicted savings and the prediction error', () => {
    expect(realizedSavings(32_000, 11_000, 20_000)).toEqual({ actual: 21_000, predicted: 20_000, prediction_error: 0.05, cost_reduction: 0.6563 })
    expect(realizedSavings(100, 100, 0).prediction_error).toBeNull()
  })
  it('judges a change expected to save money regressed when it costs more than before, beyond price noise', () => {
    expect(costRegression(40_000, -500, 19_000)).toMatch(/realized savings are negative \(-500\.00/)
    expect(costRegression(40_000, -300, 19_000)).toBeNull()
    expect(costRegression(40_000, 0, 0)).toBeNull()
  })
  it('judges a scale-out approved at an extra cost against that cost, not against zero', () => {
    expect(costRegression(1358.53, -2717.06, -2717.06)).toBeNull()
    expect(costRegression(1358.53, -2900, -2717.06)).toBeNull()
    expect(costRegression(1358.53, -3100, -2717.06)).toMatch(/costs 3100\.00 USD\/month more, beyond the 2717\.06 approved/)
  })
  it('prices a plan from quotes, and says when a pool has no price', () => {
    const q = [{ cloud: 'aws' as const, region: 'r', instanceType: 't', gpuType: 'A100', gpuCount: 8, onDemandHourlyUsd: 20, spotHourlyUsd: 7 }]
    expect(planMonthlyUsd([{ cloud: 'aws', region: 'r', instanceType: 't', pricing: 'spot', count: 2 }], q)).toBeCloseTo(14 * HOURS_PER_MONTH, 6)
    expect(planMonthlyUsd([{ cloud: 'aws', region: 'r', instanceType: 't', pricing: 'reserved', count: 1 }], q)).toBeNull()
  })
})
