import { describe, expect, it } from 'vitest'
import { bucketDelta, histogramQuantile, sumBuckets, type Bucket } from './histogram.ts'

const b = (pairs: [number, number][]): Bucket[] => pairs.map(([le, count]) => ({ le, count }))

describe('histogramQuantile', () => {
  /*
   * Buckets (cumulative): ≤0.1: 10, ≤0.5: 60, ≤1: 90, ≤+Inf: 100.
   * | q    | rank | bucket    | result                               |
   * |------|------|-----------|--------------------------------------|
   * | 0.05 | 5    | (0, 0.1]  | 0 + 0.1·5/10 = 0.05                  |
   * | 0.5  | 50   | (0.1,0.5] | 0.1 + 0.4·(50−10)/50 = 0.42          |
   * | 0.9  | 90   | (0.5,1]   | 0.5 + 0.5·(90−60)/30 = 1.0           |
   * | 0.95 | 95   | (1,+Inf]  | highest finite bound = 1             |
   * | 0    | 0    | (0, 0.1]  | 0                                    |
   */
  const buckets = b([[0.1, 10], [0.5, 60], [1, 90], [Infinity, 100]])

  it.each([
    [0.05, 0.05],
    [0.5, 0.42],
    [0.9, 1],
    [0.95, 1],
    [1, 1],
    [0, 0],
  ])('interpolates linearly inside the bucket: q=%d → %d', (q, expected) => {
    expect(histogramQuantile(buckets, q)).toBeCloseTo(expected, 12)
  })

  it('does not depend on bucket order', () => {
    expect(histogramQuantile([...buckets].reverse(), 0.5)).toBeCloseTo(0.42, 12)
  })

  it('returns NaN when empty, without observations, without a +Inf bucket or with a single bucket', () => {
    expect(histogramQuantile([], 0.5)).toBeNaN()
    expect(histogramQuantile(b([[0.1, 0], [Infinity, 0]]), 0.5)).toBeNaN()
    expect(histogramQuantile(b([[0.1, 3], [1, 5]]), 0.5)).toBeNaN()
    expect(histogramQuantile(b([[Infinity, 5]]), 0.5)).toBeNaN()
  })

  it('returns ±Inf for q outside [0, 1] and NaN for q = NaN', () => {
    expect(histogramQuantile(buckets, -0.1)).toBe(-Infinity)
    expect(histogramQuantile(buckets, 1.1)).toBe(Infinity)
    expect(histogramQuantile(buckets, NaN)).toBeNaN()
  })

  it('returns the first bound when it is not positive', () => {
    expect(histogramQuantile(b([[-1, 5], [1, 10], [Infinity, 10]]), 0.2)).toBe(-1)
  })

  it('merges equal bounds and forces counts monotonic like Prometheus', () => {
    // le="1" and le="1.0" from two exporters merge into one bucket of 4 + 4: rank 5 of 10 lies
    // in (0, 1] holding 8 → 0 + 1·5/8.
    expect(histogramQuantile(b([[1, 4], [1, 4], [2, 10], [Infinity, 10]]), 0.5)).toBeCloseTo(0.625, 12)
    // A dip (60 → 55) is lifted to the envelope (60).
    expect(histogramQuantile(b([[0.1, 10], [0.5, 60], [0.7, 55], [1, 90], [Infinity, 100]]), 0.5)).toBeCloseTo(0.42, 12)
  })
})

describe('bucketDelta', () => {
  const before = b([[0.1, 10], [1, 20], [Infinity, 25]])

  it('subtracts per bucket between two scrapes', () => {
    expect(bucketDelta(b([[0.1, 14], [1, 30], [Infinity, 40]]), before)).toEqual(b([[0.1, 4], [1, 10], [Infinity, 15]]))
  })

  it('matches buckets by le, not by position', () => {
    expect(bucketDelta(b([[Infinity, 40], [0.1, 14], [1, 30]]), before)).toEqual(b([[Infinity, 15], [0.1, 4], [1, 10]]))
  })

  it('treats any decreased bucket as a counter reset and returns the new counts', () => {
    const now = b([[0.1, 2], [1, 30], [Infinity, 40]])
    expect(bucketDelta(now, before)).toEqual(now)
  })

  it('treats a changed bucket layout as a reset', () => {
    const now = b([[0.1, 12], [0.5, 15], [1, 30], [Infinity, 40]])
    expect(bucketDelta(now, before)).toEqual(now)
  })

  it('returns a copy of the current counts when there is no earlier scrape', () => {
    const now = b([[1, 3], [Infinity, 4]])
    const delta = bucketDelta(now, undefined)
    expect(delta).toEqual(now)
    expect(delta).not.toBe(now)
  })
})

describe('sumBuckets', () => {
  it('adds bucket lists by le like sum by (le)', () => {
    expect(sumBuckets([b([[1, 2], [Infinity, 3]]), b([[1, 5], [Infinity, 9]])])).toEqual(b([[1, 7], [Infinity, 12]]))
  })
})
