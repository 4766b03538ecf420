import { describe, expect, it } from 'vitest'
import type { BillLine } from '../cloud/provider.ts'
import { bucketBounds, deploymentsByCost, spendHistory } from './history.ts'

const line = (deploymentId: string | null, costUsd: number): BillLine => ({ instanceId: `i-${deploymentId}`, instanceType: 'g5.xlarge', pricing: 'on-demand', deploymentId, from: '', to: '', hours: 1, costUsd })

describe('spend history', () => {
  it('aligns buckets to UTC days, the last one running up to now and a boundary closing a whole bucket', () => {
    const mid = bucketBounds(new Date('2026-03-02T09:00:00Z'), 'day', 3).map((b) => [b.start.toISOString(), b.end.toISOString()])
    expect(mid).toEqual([
      ['2026-02-28T00:00:00.000Z', '2026-03-01T00:00:00.000Z'],
      ['2026-03-01T00:00:00.000Z', '2026-03-02T00:00:00.000Z'],
      ['2026-03-02T00:00:00.000Z', '2026-03-02T09:00:00.000Z'],
    ])
    const edge = bucketBounds(new Date('2026-03-02T00:00:00Z'), 'hour', 2).map((b) => b.start.toISOString())
    expect(edge).toEqual(['2026-03-01T22:00:00.000Z', '2026-03-01T23:00:00.000Z'])
  })

  it('reads each bucket from the bill and splits it by deployment, idle instances as their own line', async () => {
    const reads: [string, string][] = []
    const cloud = {
      getBill: async (_c: string, from: Date, to: Date) => {
        reads.push([from.toISOString(), to.toISOString()])
        return from.getUTCDate() === 1 ? [line('chat', 10), line(null, 2)] : [line('chat', 4), line('embed', 6), line('chat', 1)]
      },
    }
    const h = await spendHistory(cloud, 'c', new Date('2026-03-02T09:00:00Z'), 'day', 2)
    expect(reads).toEqual([['2026-03-01T00:00:00.000Z', '2026-03-02T00:00:00.000Z'], ['2026-03-02T00:00:00.000Z', '2026-03-02T09:00:00.000Z']])
    expect(h.map((b) => [b.totalUsd, Object.fromEntries(b.byDeployment)])).toEqual([[12, { chat: 10, null: 2 }], [11, { chat: 5, embed: 6 }]])
    expect(deploymentsByCost(h)).toEqual(['chat', 'embed', null])
    await expect(spendHistory(cloud, 'c', new Date(), 'day', 91)).rejects.toThrow(RangeError)
  })
})
