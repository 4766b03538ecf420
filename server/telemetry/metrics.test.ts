import { describe, expect, it } from 'vitest'
import { MAX_POINTS, METRIC_TYPES, parseMetricsQuery, parseStep, parseTime } from './metrics.ts'

const now = new Date('2026-03-01T12:00:00Z')

describe('metrics query rules', () => {
  it('defaults to the last 24 h of platform time with a step giving at most 500 points', () => {
    const q = parseMetricsQuery({ metric_type: 'p95_latency_ms' }, now)
    if (!q.ok) throw new Error(q.message)
    expect(q.value.to).toEqual(now)
    expect(now.getTime() - q.value.from.getTime()).toBe(86_400_000)
    // epoch-aligned buckets over the span: at most span/step + 1 of them
    expect(Math.floor(86_400_000 / q.value.stepMs) + 1).toBeLessThanOrEqual(MAX_POINTS)
  })

  it('raises a too-fine step and keeps a coarser one', () => {
    const fine = parseMetricsQuery({ metric_type: 'error_rate', step: '1s' }, now)
    const coarse = parseMetricsQuery({ metric_type: 'error_rate', step: '2h' }, now)
    expect(fine.ok && fine.value.stepMs).toBe(Math.ceil(86_400_000 / (MAX_POINTS - 1) / 1000) * 1000)
    expect(coarse.ok && coarse.value.stepMs).toBe(7_200_000)
  })

  it('maps the seeds\' names onto sources and aggregation rules', () => {
    expect(METRIC_TYPES.p95_latency_ms).toEqual({ kind: 'deployment', type: 'e2e_p95_ms', aggregate: 'max' })
    expect(METRIC_TYPES.throughput_rps).toMatchObject({ aggregate: 'sum' })
    expect(METRIC_TYPES.error_rate).toMatchObject({ aggregate: 'weighted' })
    expect(METRIC_TYPES.gpu_utilization).toMatchObject({ aggregate: 'mean' })
    expect(METRIC_TYPES.monthly_cost).toEqual({ kind: 'run_rate', field: 'monthlyUsd' })
    expect(METRIC_TYPES.quality_score).toEqual({ kind: 'quality' })
  })

  it('rejects unknown types, bad times, reversed and overlong windows', () => {
    for (const [q, msg] of [
      [{ metric_type: 'toString' }, /unknown metric_type/],
      [{ metric_type: 'error_rate', start_time: 'noon' }, /start_time/],
      [{ metric_type: 'error_rate', end_time: '2026-13-45T99:00:00Z' }, /end_time/],
      [{ metric_type: 'error_rate', start_time: '2026-03-02T00:00:00Z', end_time: '2026-03-01T00:00:00Z' }, /after end_time/],
      [{ metric_type: 'error_rate', start_time: '2020-01-01' }, /longer than/],
      [{ metric_type: 'error_rate', step: '5 minutes' }, /step/],
    ] as const) {
      const r = parseMetricsQuery(q, now)
      expect(r.ok, JSON.stringify(q)).toBe(false)
      if (!r.ok) expect(r.message).toMatch(msg)
    }
  })

  it('reads ISO times and Unix seconds, and durations', () => {
    expect(parseTime('2026-03-01T10:00:00Z')?.toISOString()).toBe('2026-03-01T10:00:00.000Z')
    expect(parseTime('1772359200')?.toISOString()).toBe('2026-03-01T10:00:00.000Z')
    expect(parseTime('1772359200.5')?.getTime()).toBe(1_772_359_200_500)
    expect(parseStep('90')).toBe(90_000)
    expect(parseStep('5m')).toBe(300_000)
    expect(parseStep('1d')).toBe(86_400_000)
    expect(parseStep('500ms')).toBeNull()
  })
})
