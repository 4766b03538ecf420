import { describe, expect, it } from 'vitest'
import { canaryPlan, gateSpecProblem, policiesOf, qualityConfig, type GatePolicy } from './policy.ts'
import { judgeQuality } from './quality.ts'
import { judgeLatency } from './latency.ts'

const defaults = { errorBudget: 0.002, minRequests: 50 }
const byGate = (ps: GatePolicy[]) => Object.fromEntries(ps.map((p) => [p.gate, p]))

describe('gate records', () => {
  it('derive the error gate from the SLO error budget and keep the quality gate at 1 pp until declared', () => {
    const g = byGate(policiesOf(new Map(), defaults))
    expect(g.error_rate).toMatchObject({ tolerance: 0.002, min_samples: 50, source: 'default', updated_at: null })
    expect(g.quality).toMatchObject({ tolerance: 0.01, alpha: 0.05, source: 'default', unit: 'pairs' })
    expect(g.latency_p95).toMatchObject({ tolerance: 0.05, unit: 'intervals' })
  })

  it('use the declared spec of a gate and the defaults of the others', () => {
    const declared = new Map([['quality' as const, { spec: { tolerance: 0.02, alpha: 0.01, min_samples: 40, max_samples: 200 }, updated_at: '2026-03-02T09:00:00.000Z' }]])
    const g = byGate(policiesOf(declared, defaults))
    expect(g.quality).toMatchObject({ tolerance: 0.02, alpha: 0.01, min_samples: 40, max_samples: 200, source: 'declared', updated_at: '2026-03-02T09:00:00.000Z' })
    expect(g.error_rate!.source).toBe('default')
  })

  it('refuse tolerances, levels and sample bounds that make no test', () => {
    const ok = { tolerance: 0.01, alpha: 0.05, min_samples: 30, max_samples: 400 }
    expect(gateSpecProblem('quality', ok)).toBeNull()
    expect(gateSpecProblem('quality', { ...ok, tolerance: 0 })).toMatch(/tolerance/)
    expect(gateSpecProblem('quality', { ...ok, tolerance: 0.9 })).toMatch(/at most 0.5/)
    expect(gateSpecProblem('latency_p95', { ...ok, tolerance: 0.9 })).toBeNull()
    expect(gateSpecProblem('error_rate', { ...ok, alpha: 0.7 })).toMatch(/alpha/)
    expect(gateSpecProblem('error_rate', { ...ok, min_samples: 0 })).toMatch(/min_samples/)
    expect(gateSpecProblem('error_rate', { ...ok, max_samples: 10 })).toMatch(/max_samples/)
  })
})

describe('canary plan', () => {
  const input = { intervalMs: 60_000, promptsPerInterval: 12, evalPrompts: 220, canaryWeight: 0.1, rps: 20 }

  it('turns each gate\'s sample size into minutes of the canary at the current traffic', () => {
    const lines = byGate(canaryPlan(policiesOf(new Map(), defaults), input) as never) as unknown as Record<string, { needs: number; minutes: number | null; feasible: boolean; note: string }>
    // error gate: ln(20)/0.002 = 1,498 requests at 2 req/s (10% of 20) → 13 minutes
    expect(lines.error_rate).toMatchObject({ needs: 1498, minutes: 13, feasible: true })
    expect(lines.error_rate!.note).toMatch(/2\.0 req\/s \(10% of 20\.0\)/)
    // 1 pp needs more pairs than the 220 evaluation prompts one step can ask
    expect(lines.quality!.needs).toBeGreaterThan(220)
    expect(lines.quality).toMatchObject({ feasible: false, minutes: Math.ceil(lines.quality!.needs / 12) })
  })

  it('is feasible for a tolerance the prompts available can show, and says when traffic is unknown', () => {
    const declared = new Map([['quality' as const, { spec: { tolerance: 0.05, alpha: 0.05, min_samples: 30, max_samples: 1000 }, updated_at: 'x' }]])
    const lines = canaryPlan(policiesOf(declared, defaults), { ...input, evalPrompts: 1000, rps: null })
    // 5 pp at 4% planned discordance: ~800 pairs (failing a 10-pp drop is the harder side)
    expect(lines.find((l) => l.gate === 'quality')).toMatchObject({ feasible: true, needs: 801, minutes: 67 })
    expect(canaryPlan(policiesOf(declared, defaults), input).find((l) => l.gate === 'quality')).toMatchObject({ feasible: false, note: expect.stringMatching(/can ask 220/) })
    expect(lines.find((l) => l.gate === 'error_rate')).toMatchObject({ minutes: null, note: expect.stringMatching(/no traffic measured/) })
  })
})

describe('maximum of samples', () => {
  it('marks an inconclusive quality gate at its maximum of pairs as exhausted', () => {
    const outcomes = '0'.repeat(90) + '+-'.repeat(5)
    const cfg = qualityConfig({ tolerance: 0.01, alpha: 0.05, min_samples: 30, max_samples: 100 })
    const look = judgeQuality(outcomes, cfg)
    expect(look).toMatchObject({ verdict: 'inconclusive', exhausted: true, reason: expect.stringMatching(/maximum of 100 pairs/) })
    expect(judgeQuality(outcomes.slice(0, 99), cfg).exhausted).toBeUndefined()
  })

  it('marks an inconclusive latency gate at its maximum of intervals as exhausted', () => {
    const xs = [0.52, 0.53, 0.52, 0.53]
    expect(judgeLatency(xs, { toleratedRegression: 0.05, alpha: 0.05, minIntervals: 3, plannedSd: 0.06, maxIntervals: 4 }).exhausted).toBe(true)
  })
})
