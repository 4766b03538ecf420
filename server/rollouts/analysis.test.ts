import { describe, expect, it } from 'vitest'
import { assess, assessMetric, binomialUpperTail, classifyErrorRate, classifyUpperBound, type AnalysisLimits, type AnalysisPhase, type Measurement } from './analysis.ts'

const at = new Date('2026-01-01T00:00:00Z')
const m = (phase: AnalysisPhase, metric = 'p95_latency_ms'): Measurement => ({ metric, phase, value: 1, baseline: 1, limit: 1, message: phase, at: at.toISOString() })
const limits: AnalysisLimits = { failureLimit: 1, inconclusiveLimit: 2, consecutiveErrorLimit: 4, count: 5 }

describe('assessMetric (Argo semantics)', () => {
  it('is running until the count is reached, then successful', () => {
    expect(assessMetric('x', [m('successful'), m('successful')], limits).phase).toBe('running')
    expect(assessMetric('x', Array(5).fill(m('successful')), limits).phase).toBe('successful')
  })
  it('fails only once failures exceed failureLimit', () => {
    expect(assessMetric('x', [m('failed')], limits).phase).toBe('running')
    expect(assessMetric('x', [m('failed'), m('successful'), m('failed')], limits).phase).toBe('failed')
    expect(assessMetric('x', [m('failed')], { ...limits, failureLimit: 0 }).phase).toBe('failed')
  })
  it('is inconclusive once inconclusive measurements exceed inconclusiveLimit', () => {
    expect(assessMetric('x', [m('inconclusive'), m('inconclusive')], limits).phase).toBe('running')
    expect(assessMetric('x', [m('inconclusive'), m('inconclusive'), m('inconclusive')], limits).phase).toBe('inconclusive')
  })
  it('errors only after more than consecutiveErrorLimit consecutive errors; a success resets the run', () => {
    expect(assessMetric('x', Array(4).fill(m('error')), limits).phase).toBe('running')
    expect(assessMetric('x', Array(5).fill(m('error')), limits).phase).toBe('error')
    expect(assessMetric('x', [...Array(4).fill(m('error')), m('successful'), ...Array(4).fill(m('error'))], limits).consecutiveErrors).toBe(4)
  })
  it('does not count errors toward the count, so a bake of errors never ends successful', () => {
    const a = assessMetric('x', [m('successful'), m('error'), m('error'), m('successful'), m('error')], limits)
    expect(a.count).toBe(2)
    expect(a.phase).toBe('running')
  })
})

describe('assess', () => {
  it('takes the worst metric: failed beats inconclusive beats successful', () => {
    const ms = [...Array(5).fill(m('successful', 'a')), m('failed', 'b'), m('failed', 'b'), ...Array(3).fill(m('inconclusive', 'c'))]
    expect(assess(ms, limits).phase).toBe('failed')
    expect(assess([...Array(5).fill(m('successful', 'a')), ...Array(3).fill(m('inconclusive', 'c'))], limits).phase).toBe('inconclusive')
  })
  it('is running while an expected metric has no measurements', () => {
    expect(assess(Array(5).fill(m('successful', 'a')), limits, ['a', 'b']).phase).toBe('running')
    expect(assess([...Array(5).fill(m('successful', 'a')), ...Array(5).fill(m('successful', 'b'))], limits, ['a', 'b']).phase).toBe('successful')
  })
})

describe('classifyUpperBound', () => {
  const rule = { limit: 1000, noRegressionTolerance: 0.1, failTolerance: 0.25 }
  it('passes within the limit', () => expect(classifyUpperBound('p95', 800, 900, rule, at).phase).toBe('successful'))
  it('does not blame a canary for a stable group that already misses the SLO', () => expect(classifyUpperBound('p95', 1650, 1600, rule, at).phase).toBe('successful'))
  it('fails above the limit and clearly worse than stable', () => expect(classifyUpperBound('p95', 2100, 600, rule, at).phase).toBe('failed'))
  it('is inconclusive above the limit and slightly worse than stable', () => expect(classifyUpperBound('p95', 1900, 1600, rule, at).phase).toBe('inconclusive'))
  it('is inconclusive without canary data (no traffic is not a failure)', () => expect(classifyUpperBound('p95', null, 600, rule, at).phase).toBe('inconclusive'))
  it('fails above the limit with no stable data to compare', () => expect(classifyUpperBound('p95', 1200, null, rule, at).phase).toBe('failed'))
})

describe('classifyErrorRate', () => {
  const rule = { limit: 0.001, minRequests: 50, alpha: 0.01 }
  it('is inconclusive with too few requests', () => expect(classifyErrorRate({ requests: 20, errors: 5 }, 0, rule, at).phase).toBe('inconclusive'))
  it('does not fail on one error in 300 requests (not significant)', () => expect(classifyErrorRate({ requests: 300, errors: 1 }, 0.0001, rule, at).phase).toBe('successful'))
  it('fails on a significant burst worse than stable', () => expect(classifyErrorRate({ requests: 2700, errors: 135 }, 0.0001, rule, at).phase).toBe('failed'))
  it('does not fail when stable errs just as much', () => expect(classifyErrorRate({ requests: 2700, errors: 27 }, 0.01, rule, at).phase).toBe('successful'))
})

describe('statistics helpers', () => {
  it('binomialUpperTail is a tail probability', () => {
    expect(binomialUpperTail(0, 100, 0.01)).toBe(1)
    expect(binomialUpperTail(1, 100, 0.01)).toBeCloseTo(1 - Math.exp(-1), 6)
    expect(binomialUpperTail(200, 10_000, 0.01)).toBeLessThan(1e-6)
    expect(binomialUpperTail(100, 10_000, 0.01)).toBeGreaterThan(0.4)
  })
})
