import { describe, expect, it } from 'vitest'
import { bestCompatibleSet, potentialSavings } from './groups.ts'

describe('alternatives', () => {
  const recs = [
    { id: 'a', exclusiveGroup: 'd1:pools', savingsUsd: 35_000 },
    { id: 'b', exclusiveGroup: 'd1:pools', savingsUsd: 19_000 },
    { id: 'c', exclusiveGroup: 'd1:engine.quantization', savingsUsd: 4_000 },
    { id: 'd', exclusiveGroup: null, savingsUsd: 1_000 },
    { id: 'e', exclusiveGroup: 'd2:pools', savingsUsd: -50 },
  ]
  it('keeps the best alternative of each group and no loss-making one', () => {
    expect(bestCompatibleSet(recs).map((r) => r.id).sort()).toEqual(['a', 'c', 'd'])
  })
  it('sums the best compatible set, never more than current spend', () => {
    expect(potentialSavings(recs, 100_000)).toBe(40_000)
    expect(potentialSavings(recs, 36_000)).toBe(36_000)
    expect(potentialSavings([], 10)).toBe(0)
  })
})
