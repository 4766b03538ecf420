/**
 * The overview figures, pure: current spend, potential and realized savings, and SLO compliance,
 * all from stored rows (recommendations, optimization results, telemetry) — never derived from
 * another figure by a factor.
 */
import type { Slo } from '../cloud/provider.ts'
import { DEFAULT_SLO } from '../rollouts/rollout.ts'

/** Σ of numbers, rounded to cents. */
export function sumUsd(values: (number | null | undefined)[]): number {
  return Math.round(values.reduce<number>((s, v) => s + (typeof v === 'number' && Number.isFinite(v) ? v : 0), 0) * 100) / 100
}

/**
 * Realized savings of completed changes: each one's figure settled from the imported bill where an
 * import covers it, else the provisional run-rate figure its workflow recorded.
 */
export function realizedTotal(completed: { id: string; result: Record<string, unknown> }[], settled: Map<string, { actual_savings: number }>): { total: number; settled: number; completed: number } {
  const figures = completed.map((c) => settled.get(c.id)?.actual_savings ?? (c.result.actual_savings as number | undefined))
  return { total: sumUsd(figures), settled: completed.filter((c) => settled.has(c.id)).length, completed: completed.length }
}

/** SLO compliance of a deployment's measured window; null when there is no data. */
export function sloCompliance(s: { p95: number | null; p99: number | null; errorRate: number | null }, slo: Partial<Slo> | undefined): boolean | null {
  if (s.p95 === null && s.p99 === null && s.errorRate === null) return null
  const lim = { p95: slo?.p95Ms ?? DEFAULT_SLO.p95Ms, p99: slo?.p99Ms ?? DEFAULT_SLO.p99Ms, err: slo?.maxErrorRate ?? DEFAULT_SLO.maxErrorRate }
  return (s.p95 === null || s.p95 <= lim.p95) && (s.p99 === null || s.p99 <= lim.p99) && (s.errorRate === null || s.errorRate <= lim.err)
}

/** Fleet-level compliance: false if any deployment misses, null when none was measured. */
export function fleetCompliance(values: (boolean | null)[]): boolean | null {
  const known = values.filter((v): v is boolean => v !== null)
  return known.length === 0 ? null : known.every(Boolean)
}

/** Sample-weighted mean quality score. */
export function weightedScore(points: { score: number; samples: number }[]): number | null {
  const n = points.reduce((s, p) => s + p.samples, 0)
  return n > 0 ? Math.round((points.reduce((s, p) => s + p.score * p.samples, 0) / n) * 10_000) / 10_000 : null
}
