import { describe, expect, it } from 'vitest'
import { proposeSlo, sloBreaches, sloProblem, toProviderSlo, type SloSpec } from './slo.ts'

const declared: SloSpec = { ttft_p95_ms: 500, itl_p95_ms: 50, e2e_p95_ms: 2000, e2e_p99_ms: 3000, max_error_rate: 0.01, min_quality: 0.95 }

describe('SLOs', () => {
  it('proposes from the workload class and answer length, not from today\'s latency', () => {
    const chat = proposeSlo({ latencyCritical: true, outputTokensMean: 100 })
    expect(chat).toMatchObject({ ttft_p95_ms: 1000, itl_p95_ms: 100, e2e_p95_ms: 11_000, e2e_p99_ms: 16_500, max_error_rate: 0.001, min_quality: 0.95 })
    const batch = proposeSlo({ latencyCritical: false, outputTokensMean: 100 })
    expect(batch.e2e_p95_ms).toBe(25_000)
    expect(proposeSlo({ latencyCritical: true, outputTokensMean: 400 }).e2e_p95_ms).toBeGreaterThan(chat.e2e_p95_ms)
    expect(sloProblem(chat)).toBeNull()
  })

  it('refuses inconsistent SLOs with a reason', () => {
    expect(sloProblem(declared)).toBeNull()
    expect(sloProblem({ ...declared, e2e_p99_ms: 1000 })).toMatch(/p99/)
    expect(sloProblem({ ...declared, ttft_p95_ms: 5000 })).toMatch(/ttft/)
    expect(sloProblem({ ...declared, e2e_p95_ms: 0 })).toMatch(/positive/)
    expect(sloProblem({ ...declared, max_error_rate: 2 })).toMatch(/error_rate/)
    expect(sloProblem({ ...declared, min_quality: -1 })).toMatch(/min_quality/)
  })

  it('names each breached objective and maps to the provider shape', () => {
    expect(sloBreaches(declared, { p95LatencyMs: 1900, p99LatencyMs: 2900, errorRate: 0.001 })).toEqual([])
    expect(sloBreaches(declared, { p95LatencyMs: null, p99LatencyMs: null, errorRate: null })).toEqual([])
    const b = sloBreaches(declared, { p95LatencyMs: 2500, p99LatencyMs: 3100, errorRate: 0.5, ttftP95Ms: 800 })
    expect(b).toHaveLength(4)
    expect(b[0]).toBe('p95 2500 ms > 2000 ms')
    expect(toProviderSlo(declared)).toEqual({ p95Ms: 2000, p99Ms: 3000, maxErrorRate: 0.01, minQuality: 0.95 })
  })
})
