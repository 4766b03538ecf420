import { describe, expect, it } from 'vitest'
import { addPair, collectPairs, judgePaired, mcnemarOneSidedP, mergePairs, NO_PAIRS, type PairCounts } from './paired.ts'
import { isRefusal, OverloadRefusal, refusalOrFailure } from './refusal.ts'

const tally = (both: number, stableOnly: number, canaryOnly: number, neither: number): PairCounts =>
  ({ n: both + stableOnly + canaryOnly + neither, both, stable_only: stableOnly, canary_only: canaryOnly, neither })

describe('McNemar', () => {
  it('gives the exact one-sided binomial tail of the discordant pairs', () => {
    expect(mcnemarOneSidedP(0, 0)).toBe(1)
    expect(mcnemarOneSidedP(3, 0)).toBeCloseTo(0.125, 10)
    expect(mcnemarOneSidedP(10, 2)).toBeCloseTo(79 / 4096, 8)
    expect(mcnemarOneSidedP(1, 5)).toBeGreaterThan(0.9)
  })
  it('detects on paired data what an unpaired comparison would not (peers §5.1)', () => {
    // 8 vs 1 discordant of 200: accuracies 0.80 vs 0.765 — unpaired z ≈ 0.85 (p≈0.2); paired p≈0.02
    expect(mcnemarOneSidedP(8, 1)).toBeLessThan(0.025)
  })
})

describe('judgePaired', () => {
  it('is inconclusive with no or too few pairs', () => {
    expect(judgePaired(NO_PAIRS).verdict).toBe('inconclusive')
    expect(judgePaired(tally(20, 0, 0, 4)).verdict).toBe('inconclusive')
  })
  it('does not take zero discordant pairs in a small sample as proof', () => {
    expect(judgePaired(tally(28, 0, 0, 4)).verdict).toBe('inconclusive')
  })
  it('passes an unchanged model once the sample bounds the drop under 5 points', () => {
    const v = judgePaired(tally(108, 0, 0, 12))
    expect(v.verdict).toBe('pass')
    expect(v.drop_upper!).toBeLessThan(0.05)
  })
  it('fails a significant drop of more than 5 points', () => {
    const v = judgePaired(tally(90, 18, 1, 11))
    expect(v.drop!).toBeGreaterThan(0.05)
    expect(v.verdict).toBe('fail')
    expect(v.stable_accuracy! - v.canary_accuracy!).toBeCloseTo(v.drop!, 10)
  })
  it('is inconclusive for a small drop the sample cannot bound', () => {
    expect(judgePaired(tally(80, 6, 2, 12)).verdict).toBe('inconclusive')
  })
  it('does not fail a drop under 5 points even when significant', () => {
    expect(judgePaired(tally(400, 20, 0, 80)).verdict).not.toBe('fail')
  })
})

describe('pair tallies', () => {
  it('adds and merges', () => {
    const a = addPair(addPair(NO_PAIRS, true, false), false, true)
    expect(a).toEqual({ n: 2, both: 0, stable_only: 1, canary_only: 1, neither: 0 })
    expect(mergePairs(a, a).n).toBe(4)
  })
  it('collects pairs from both groups and skips pairs that failed to answer', async () => {
    const items = [1, 2, 3, 4]
    const { counts, failures } = await collectPairs(items, async (g, i) => {
      if (i === 4 && g === 'canary') throw new Error('503')
      return g === 'stable' || i % 2 === 0 ? 'right' : 'wrong'
    }, (_i, text) => text === 'right')
    expect(failures).toBe(1)
    expect(counts).toEqual({ n: 3, both: 1, stable_only: 2, canary_only: 0, neither: 0 })
  })
  it('counts a prompt refused for overload (503, 429, time-out) as that group\'s wrong answer, not a missing pair', async () => {
    const timeout = Object.assign(new Error('timed out'), { name: 'TimeoutError' })
    const { counts, failures, refused } = await collectPairs([1, 2, 3, 4, 5], async (g, i) => {
      if (g === 'stable' && i <= 2) throw new OverloadRefusal(503, 'stable')
      if (g === 'stable' && i === 3) throw timeout
      if (g === 'canary' && i === 4) throw new OverloadRefusal(429, 'canary')
      if (g === 'canary' && i === 5) throw new Error('HTTP 500 from canary')
      return 'right'
    }, (_i, text) => text === 'right')
    expect({ failures, refused }).toEqual({ failures: 1, refused: { stable: 3, canary: 1 } })
    expect(counts).toEqual({ n: 4, both: 0, stable_only: 1, canary_only: 3, neither: 0 })
  })
})

describe('overload refusals', () => {
  it('are the 503 and 429 answers; other statuses are plain failures', () => {
    expect(refusalOrFailure(503, 'u')).toBeInstanceOf(OverloadRefusal)
    expect(refusalOrFailure(429, 'u')).toBeInstanceOf(OverloadRefusal)
    expect(isRefusal(refusalOrFailure(500, 'u'))).toBe(false)
    expect(isRefusal(refusalOrFailure(404, 'u'))).toBe(false)
  })
})
