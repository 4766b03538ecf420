import { describe, expect, it } from 'vitest'
import type { GateLook } from '../gates/gate.ts'
import { judgeGates, MAX_GATE_LOOKS, newBake, observeGates, withLooks, type BakeState } from './bake.ts'
import type { WindowSignals } from './measure.ts'
import { thresholdsFor } from './rollout.ts'

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

const sig = (p95Ms: number, requests: number, errors: number): WindowSignals => ({ p95Ms, p99Ms: p95Ms * 1.2, errorRate: requests > 0 ? errors / requests : null, requests, errors, rps: requests / 60 })
const t = thresholdsFor({ maxErrorRate: 0.001 })
function bakeThrough(intervals: [canary: WindowSignals, stable: WindowSignals][]): BakeState {
  const b = newBake()
  for (const [canary, stable] of intervals) Object.assign(b, observeGates(b, canary, stable, [], t), { last: { canary, stable } })
  return b
}

describe('error-rate and latency gates of a bake', () => {
  it('passes a canary that errs like stable once it carried enough requests, and never fails its latency', () => {
    const b = bakeThrough(Array.from({ length: 6 }, () => [sig(400, 300, 0), sig(400, 2700, 0)]))
    const gates = judgeGates(b, [], t)
    expect(gates.map((g) => g.gate)).toEqual(['quality', 'error_rate', 'latency_p95'])
    expect(gates.find((g) => g.gate === 'error_rate')).toMatchObject({ verdict: 'successful', n: 1800, threshold: 0.001 })
    // six intervals are too few for the latency gate to pass a 5% tolerance (docs/gates.md: its power)
    expect(gates.find((g) => g.gate === 'latency_p95')).toMatchObject({ verdict: 'inconclusive', n: 6 })
    expect(gates.map((g) => g.decides)).toEqual([true, true, false])
  })

  it('fails a canary that errs far above stable plus the SLO budget, and one twice as slow', () => {
    const b = bakeThrough(Array.from({ length: 12 }, () => [sig(800, 300, 15), sig(400, 2700, 0)]))
    const gates = judgeGates(b, [], t)
    expect(gates.find((g) => g.gate === 'error_rate')!.verdict).toBe('failed')
    expect(gates.find((g) => g.gate === 'latency_p95')).toMatchObject({ verdict: 'failed', lower: expect.any(Number) })
    expect(gates.find((g) => g.gate === 'latency_p95')!.lower!).toBeGreaterThan(0.05)
  })

  it('skips an interval without canary requests for latency but keeps the evidence gathered so far', () => {
    const b = bakeThrough([[sig(400, 300, 0), sig(400, 2700, 0)], [sig(400, 0, 0), sig(400, 2700, 0)]])
    expect(b.latency_log_ratios).toHaveLength(1)
    expect(b.error_gate!.requests).toBe(300)
  })
})
