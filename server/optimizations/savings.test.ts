import { describe, expect, it } from 'vitest'
import { realizedSavings, runRateFromBill, HOURS_PER_MONTH } from './savings.ts'
import { planMonthlyUsd } from './approve.ts'
import type { BillLine } from '../cloud/provider.ts'

const at = new Date('2026-01-01T12:00:00Z')
const line = (id: string, dep: string | null, costUsd: number, hours: number, endsAt = at): BillLine => ({
  instanceId: id, instanceType: 'p4d.24xlarge', pricing: 'spot', deploymentId: dep, from: new Date(endsAt.getTime() - hours * 3_600_000).toISOString(), to: endsAt.toISOString(), hours, costUsd,
})

describe('run-rate from the bill', () => {
  it('sums the hourly price each still-running instance actually paid, × 730', () => {
    const lines = [line('a', 'd1', 7.5, 1), line('b', 'd1', 3.6, 0.5), line('c', 'd2', 21.96, 1)]
    expect(runRateFromBill(lines, at)).toBeCloseTo((7.5 + 7.2 + 21.96) * HOURS_PER_MONTH, 6)
    expect(runRateFromBill(lines, at, (l) => l.deploymentId === 'd1')).toBeCloseTo(14.7 * HOURS_PER_MONTH, 6)
  })
  it('ignores instances that stopped before the instant, and prices just-started ones at their current price', () => {
    const stopped = line('old', 'd1', 10, 0.5, new Date(at.getTime() - 1_800_000))
    const fresh = line('new', 'd1', 0.001, 0.0001)
    expect(runRateFromBill([stopped, fresh], at, undefined, new Map([['new', 7.2]]))).toBeCloseTo(7.2 * HOURS_PER_MONTH, 6)
  })
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
