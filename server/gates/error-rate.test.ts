import { describe, expect, it } from 'vitest'
import { judgeErrors, newErrorGate, observeErrors } from './error-rate.ts'

const cfg = { tolerance: 0.001, alpha: 0.05, minRequests: 50 }
const run = (intervals: [number, number, number][]) => intervals.reduce((s, [n, k, st]) => observeErrors(s, n, k, st, cfg), newErrorGate())

describe('error-rate gate', () => {
  it('is inconclusive with too few canary requests', () => expect(judgeErrors(run([[20, 0, 0]]), 0, cfg).verdict).toBe('inconclusive'))
  it('does not fail one error in 300 requests', () => expect(judgeErrors(run([[300, 1, 0.0001]]), 0.0001, cfg).verdict).toBe('successful'))
  it('fails a 5% burst against a clean stable', () => expect(judgeErrors(run([[300, 15, 0]]), 0, cfg).verdict).toBe('failed'))
  it('does not fail when stable errs just as much', () => expect(judgeErrors(run([[2700, 27, 0.01], [2700, 25, 0.01]]), 0.01, cfg).verdict).toBe('successful'))
  it('computes the mixture by hand for one interval', () => {
    // ceiling 0.001, one component r: (r)^k ((1 − r·0.001)/(0.999))^(n−k)
    const s = run([[100, 1, 0]])
    expect(s.log[1]).toBeCloseTo(Math.log(2) + 99 * Math.log(0.998 / 0.999), 12)
  })
})
