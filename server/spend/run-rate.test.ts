import { describe, expect, it } from 'vitest'
import type { BillLine, CloudProvider, FleetInstance } from '../cloud/provider.ts'
import { HOURS_PER_MONTH, MAX_RUN_RATE_POINTS, runRateFromBill, runRateInstants, runRateSeries } from './run-rate.ts'

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
})

describe('run-rate series from the bill', () => {
  const HOUR = 3_600_000
  it('samples at most MAX_RUN_RATE_POINTS instants, at least a step apart, ending at the window end', () => {
    const to = new Date('2026-02-01T00:00:00Z')
    const from = new Date(to.getTime() - 30 * 24 * HOUR)
    const month = runRateInstants(from, to, 60_000)
    expect(month.length).toBeLessThanOrEqual(MAX_RUN_RATE_POINTS)
    expect(month.length).toBeGreaterThanOrEqual(MAX_RUN_RATE_POINTS - 1)
    expect(month[0]!.getTime()).toBeGreaterThanOrEqual(from.getTime())
    expect(month.at(-1)).toEqual(to)
    const day = runRateInstants(new Date(to.getTime() - 24 * HOUR), to, HOUR)
    expect(day).toHaveLength(25)
    expect(() => runRateInstants(to, new Date(to.getTime() - 1), HOUR)).toThrow(RangeError)
  })
  it('reads each point from the bill of the hour before it: an instance counts only while it ran', async () => {
    const start = new Date('2026-01-01T00:00:00Z')
    const stopAt = start.getTime() + 3 * HOUR
    // one instance at $10/h that ran for the first three hours, as a provider would bill it
    const cloud: Pick<CloudProvider, 'getBill' | 'listResources'> = {
      listResources: async () => ({ instances: [] as FleetInstance[], deployments: [] }),
      getBill: async (_c, from, to) => {
        const end = Math.min(to.getTime(), stopAt)
        if (end <= from.getTime()) return []
        const hours = (end - from.getTime()) / HOUR
        return [{ instanceId: 'i', instanceType: 't', pricing: 'on-demand', deploymentId: 'd', from: from.toISOString(), to: new Date(end).toISOString(), hours, costUsd: 10 * hours }]
      },
    }
    const points = await runRateSeries(cloud, 'c', new Date(start.getTime() + HOUR), new Date(start.getTime() + 5 * HOUR), HOUR)
    expect(points.map((p) => p.hourlyUsd)).toEqual([10, 10, 10, 0, 0])
    expect(points[0]!.monthlyUsd).toBeCloseTo(10 * HOURS_PER_MONTH, 6)
  })
})
