/**
 * Service-level objectives a customer declares per deployment, and the proposal made for a
 * deployment without one. A proposal comes from what the workload is (interactive or batch, how
 * long its answers are), never from today's latency: an SLO derived from the current p95 would
 * call any regression of a slow service compliant. Pure.
 */
import type { FleetDeployment, Slo } from '../cloud/provider.ts'

/** Where an SLO came from: the customer, or the platform's proposal awaiting confirmation. */
export type SloSource = 'declared' | 'proposed'

/** An SLO as the API carries it (latencies in ms; TTFT and inter-token limits are optional). */
export interface SloSpec {
  ttft_p95_ms: number | null
  itl_p95_ms: number | null
  e2e_p95_ms: number
  e2e_p99_ms: number
  max_error_rate: number
  min_quality: number
}

/** A stored SLO. */
export interface DeploymentSlo extends SloSpec { deployment_id: string; source: SloSource; updated_at: string }

/** Time-to-first-token and per-token budgets by workload class (p95). */
export const SLO_BUDGETS = {
  interactive: { ttftMs: 1000, itlMs: 100 },
  batch: { ttftMs: 5000, itlMs: 200 },
} as const
/** Proposed p99 over p95, error-rate ceiling and minimum quality (relative accuracy against the stable group). */
export const SLO_PROPOSAL = { p99OverP95: 1.5, maxErrorRate: 0.001, minQuality: 0.95 } as const

function roundUp(x: number, step: number): number {
  return Math.ceil(x / step) * step
}

/** The proposal for a workload: TTFT and per-token budgets of its class, end-to-end for its mean answer length. */
export function proposeSlo(w: { latencyCritical: boolean; outputTokensMean: number }): SloSpec {
  const b = w.latencyCritical ? SLO_BUDGETS.interactive : SLO_BUDGETS.batch
  const e2eP95 = roundUp(b.ttftMs + b.itlMs * Math.max(1, w.outputTokensMean), 100)
  return {
    ttft_p95_ms: b.ttftMs, itl_p95_ms: b.itlMs, e2e_p95_ms: e2eP95, e2e_p99_ms: roundUp(e2eP95 * SLO_PROPOSAL.p99OverP95, 100),
    max_error_rate: SLO_PROPOSAL.maxErrorRate, min_quality: SLO_PROPOSAL.minQuality,
  }
}

/** The proposal for a deployment. */
export function proposeFor(d: Pick<FleetDeployment, 'latencyCritical' | 'traffic'>): SloSpec {
  return proposeSlo({ latencyCritical: d.latencyCritical, outputTokensMean: d.traffic.outputTokensMean })
}

/** Why an SLO cannot be accepted, or null. */
export function sloProblem(s: SloSpec): string | null {
  const positive = (v: number | null) => v === null || (Number.isFinite(v) && v > 0)
  if (![s.ttft_p95_ms, s.itl_p95_ms, s.e2e_p95_ms, s.e2e_p99_ms].every(positive)) return 'latency objectives must be positive numbers of milliseconds'
  if (s.e2e_p99_ms < s.e2e_p95_ms) return 'e2e_p99_ms must be at least e2e_p95_ms'
  if (s.ttft_p95_ms !== null && s.ttft_p95_ms > s.e2e_p95_ms) return 'ttft_p95_ms cannot exceed e2e_p95_ms'
  if (!(s.max_error_rate >= 0 && s.max_error_rate <= 1)) return 'max_error_rate must be between 0 and 1'
  if (!(s.min_quality >= 0 && s.min_quality <= 1)) return 'min_quality must be between 0 and 1'
  return null
}

/** The provider-shaped SLO (end-to-end latency, error rate, quality) the serving side and gates read. */
export function toProviderSlo(s: SloSpec): Slo {
  return { p95Ms: s.e2e_p95_ms, p99Ms: s.e2e_p99_ms, maxErrorRate: s.max_error_rate, minQuality: s.min_quality }
}

/** Measured signals of a deployment over a window (null: not measured). */
export interface SloSignals { p95LatencyMs: number | null; p99LatencyMs: number | null; errorRate: number | null; ttftP95Ms?: number | null }

/** Which objectives the signals break, as readable phrases; empty when compliant or unmeasured. */
export function sloBreaches(s: SloSpec, m: SloSignals): string[] {
  const out: string[] = []
  if (m.p95LatencyMs !== null && m.p95LatencyMs > s.e2e_p95_ms) out.push(`p95 ${Math.round(m.p95LatencyMs)} ms > ${s.e2e_p95_ms} ms`)
  if (m.p99LatencyMs !== null && m.p99LatencyMs > s.e2e_p99_ms) out.push(`p99 ${Math.round(m.p99LatencyMs)} ms > ${s.e2e_p99_ms} ms`)
  if (m.errorRate !== null && m.errorRate > s.max_error_rate) out.push(`error rate ${(100 * m.errorRate).toFixed(2)}% > ${(100 * s.max_error_rate).toFixed(2)}%`)
  if (s.ttft_p95_ms !== null && m.ttftP95Ms != null && m.ttftP95Ms > s.ttft_p95_ms) out.push(`TTFT p95 ${Math.round(m.ttftP95Ms)} ms > ${s.ttft_p95_ms} ms`)
  return out
}
