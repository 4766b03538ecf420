import { describe, expect, it } from 'vitest'
import type { GateLook } from '../gates/gate.ts'
import { MAX_GATE_LOOKS, newBake, withLooks } from './bake.ts'

const look = (n: number): GateLook => ({ gate: 'quality', method: 'betting confidence sequence (aGRAPA), paired', n, estimate: 0, lower: -0.1, upper: 0.1, threshold: 0.01, alpha: 0.05, verdict: 'inconclusive', reason: '', needs: null })

describe('gate looks of a bake', () => {
  it('keeps every look with the interval and time it was taken at, oldest first', () => {
    const b = { ...newBake(), intervals: 1 }
    b.gate_looks = withLooks(b, [look(20)], new Date('2026-03-02T09:05:00Z'))
    b.intervals = 2
    b.gate_looks = withLooks(b, [look(40)], new Date('2026-03-02T09:10:00Z'))
    expect(b.gate_looks.map((l) => [l.interval, l.n, l.at])).toEqual([[1, 20, '2026-03-02T09:05:00.000Z'], [2, 40, '2026-03-02T09:10:00.000Z']])
  })

  it('keeps only the newest looks past the bound, so a long bake cannot grow the run without limit', () => {
    const b = newBake()
    for (let i = 0; i < MAX_GATE_LOOKS + 5; i++) { b.intervals = i; b.gate_looks = withLooks(b, [look(i)], new Date(0)) }
    expect(b.gate_looks!.length).toBe(MAX_GATE_LOOKS)
    expect(b.gate_looks![0]!.n).toBe(5)
  })
})
