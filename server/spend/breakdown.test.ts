import { describe, expect, it } from 'vitest'
import type { BillLine } from '../cloud/provider.ts'
import { costPerMillionTokens, spendByDeployment } from './breakdown.ts'
import { HOURS_PER_MONTH, runRateFromBill } from './run-rate.ts'

const at = new Date('2026-01-01T12:00:00Z')
const line = (id: string, dep: string | null, costUsd: number, hours = 1, endsAt = at): BillLine => ({
  instanceId: id, instanceType: 'p4d.24xlarge', pricing: 'on-demand', deploymentId: dep, from: new Date(endsAt.getTime() - hours * 3_600_000).toISOString(), to: endsAt.toISOString(), hours, costUsd,
})

describe('spend by deployment', () => {
  it('partitions the run-rate: lines add up to the customer total, idle instances on their own line', () => {
    const lines = [line('a', 'chat', 20), line('b', 'chat', 20), line('c', 'batch', 10), line('idle', null, 1), line('gone', 'chat', 30, 1, new Date(at.getTime() - 600_000))]
    const split = spendByDeployment(lines, at, new Map(), new Map())
    expect(split.map((l) => [l.deploymentId, l.instances])).toEqual([['chat', 2], ['batch', 1], [null, 1]])
    expect(split.reduce((s, l) => s + l.monthlyUsd, 0)).toBeCloseTo(runRateFromBill(lines, at), 6)
    expect(split.find((l) => l.deploymentId === null)!.monthlyUsd).toBeCloseTo(HOURS_PER_MONTH, 6)
  })

  it('prices a million tokens from the monthly spend and the observed token rate, and never for idle capacity', () => {
    const split = spendByDeployment([line('a', 'chat', 36), line('idle', null, 1)], at, new Map(), new Map([['chat', 1000]]))
    // $36/h over 3.6 M tokens/h is $10 per million
    expect(split[0]!.usdPerMillionTokens).toBeCloseTo(10, 9)
    expect(split[1]!.usdPerMillionTokens).toBeNull()
    expect(costPerMillionTokens(1000, 0)).toBeNull()
    expect(costPerMillionTokens(1000, null)).toBeNull()
  })
})
