/**
 * The executive savings report, pure: assembles what the stores and the bill say into spend
 * before/after, realized vs predicted savings per optimization, ranked open opportunities and
 * insights that carry the numbers they rest on. No figure is derived from another by a factor.
 */
import type { BillLine } from '../cloud/provider.ts'
import type { Optimization } from '../../api/optimizations.ts'
import type { ReportInsight, ReportOpportunity, ReportOptimization, SavingsReport } from '../../api/reports.ts'
import { sumUsd } from '../dashboard/dashboard.ts'
import { potentialSavings } from '../desired/groups.ts'

/** An open recommendation as the report reads it. */
export interface OpenRecommendation {
  id: string; type: string; title: string; agent_type: string; risk_level: string; deployment_id: string | null; estimated_savings: number; validated: boolean
  /** Alternatives of one group exclude each other: the potential counts the best of each (server/desired/groups.ts). */
  exclusive_group?: string | null
}

/** Everything the report is assembled from, read from the store and the provider. */
export interface SavingsInputs {
  customer: { id: string; company_name: string }
  now: Date
  optimizations: Optimization[]
  open: OpenRecommendation[]
  /** Monthly run-rate when the first optimization started (null without optimizations). */
  before: { at: Date; monthly: number } | null
  currentMonthly: number
  bill: { from: Date; to: Date; lines: BillLine[] }
  /** Completed changes' savings settled from the imported FOCUS bill, by optimization id. */
  settled?: Map<string, { actual_savings: number }>
}

const round4 = (x: number) => Math.round(x * 10_000) / 10_000
const ratio = (a: number, b: number): number | null => (b > 0 ? round4(a / b) : null)
const pct = (x: number | null) => (x === null ? 'n/a' : `${(x * 100).toFixed(1)}%`)
/** Formats USD for insight text ($12,345). */
export const money = (x: number) => `$${Math.round(x).toLocaleString('en-US')}`

/** The first time any optimization started, or null. */
export function firstStart(opts: Optimization[]): Date | null {
  const times = opts.map((o) => (o.started_at ? Date.parse(o.started_at) : NaN)).filter(Number.isFinite)
  return times.length ? new Date(Math.min(...times)) : null
}

function rollbackReason(o: Optimization): string | null {
  if (o.status !== 'rolled_back' && o.status !== 'failed') return null
  const r = o.result as Record<string, unknown>
  const reason = r.rollback_reason ?? r.error ?? o.abort_reason
  return typeof reason === 'string' ? reason : null
}

function reportOptimization(o: Optimization, settled: { actual_savings: number } | undefined): ReportOptimization {
  const predicted = o.result.predicted_savings ?? null
  // settled from the imported bill where an import covers the change, else the provisional run-rate figure
  const actual = settled?.actual_savings ?? o.result.actual_savings ?? null
  const outcome = o.status === 'completed' && typeof o.result.outcome === 'string' ? o.result.outcome : null
  return {
    outcome, note: outcome === 'regressed' && typeof o.result.error === 'string' ? o.result.error : null,
    id: o.id, recommendation_id: o.recommendation_id, type: o.type, title: o.title, deployment_id: o.deployment_id ?? null, status: o.status,
    started_at: o.started_at, completed_at: o.completed_at, predicted_savings: predicted, actual_savings: actual,
    realization: o.status === 'completed' && actual !== null && predicted !== null ? ratio(actual, predicted) : null, rollback_reason: rollbackReason(o),
    settled_from_bill: settled !== undefined,
  }
}

/** Open recommendations that passed validation, largest estimated savings first. */
export function rankOpen(open: OpenRecommendation[]): ReportOpportunity[] {
  return open.filter((r) => r.validated).sort((a, b) => b.estimated_savings - a.estimated_savings || a.id.localeCompare(b.id))
    .map((r, i) => ({ rank: i + 1, id: r.id, type: r.type, title: r.title, agent_type: r.agent_type, risk_level: r.risk_level, deployment_id: r.deployment_id, estimated_savings: r.estimated_savings }))
}

/** The span the bill really covers: the window, or since its first line when billing began later. */
export function billCoverage(b: { from: Date; to: Date; lines: BillLine[] }): { covered_from: string; covered_hours: number } {
  const first = b.lines.reduce((m, l) => { const t = Date.parse(l.from); return Number.isFinite(t) ? Math.min(m, t) : m }, b.to.getTime())
  const from = Math.max(b.from.getTime(), first)
  return { covered_from: new Date(from).toISOString(), covered_hours: Math.round(((b.to.getTime() - from) / 3_600_000) * 100) / 100 }
}

/** "the last 30 days", or "the 4.2 hours since billing began" when the bill is younger than its window. */
export function coveredText(b: { covered_hours: number; from: string; to: string }): string {
  const windowHours = (Date.parse(b.to) - Date.parse(b.from)) / 3_600_000
  if (b.covered_hours >= windowHours - 0.5) return `the last ${Math.round(windowHours / 24)} days`
  return b.covered_hours >= 48 ? `the ${(b.covered_hours / 24).toFixed(1)} days since billing began` : `the ${b.covered_hours.toFixed(1)} hours since billing began`
}

/** Bill total and its split by pricing model; data transfer (cross-cloud egress) is its own part. */
export function billSummary(lines: BillLine[]): { total: number; by_pricing: Record<string, number> } {
  const by: Record<string, number[]> = {}
  for (const l of lines) (by[l.transfer ? 'data_transfer' : l.pricing] ??= []).push(l.costUsd)
  return { total: sumUsd(lines.map((l) => l.costUsd)), by_pricing: Object.fromEntries(Object.entries(by).map(([k, v]) => [k, sumUsd(v)])) }
}

/** Assembles the report. */
export function assembleSavingsReport(i: SavingsInputs): SavingsReport {
  const optimizations = i.optimizations.map((o) => reportOptimization(o, i.settled?.get(o.id)))
  const completed = optimizations.filter((o) => o.status === 'completed')
  const predicted = sumUsd(completed.map((o) => o.predicted_savings))
  const realized = sumUsd(completed.map((o) => o.actual_savings))
  const open = rankOpen(i.open)
  const bill = billSummary(i.bill.lines)
  const current = sumUsd([i.currentMonthly])
  const before = i.before ? sumUsd([i.before.monthly]) : null
  const report: SavingsReport = {
    customer_id: i.customer.id, company_name: i.customer.company_name, generated_at: i.now.toISOString(),
    spend: {
      before_monthly: before, before_at: i.before ? i.before.at.toISOString() : null, current_monthly: current,
      change: before === null ? null : sumUsd([current, -before]), change_pct: before === null ? null : ratio(current - before, before),
      bill_30d: { from: i.bill.from.toISOString(), to: i.bill.to.toISOString(), ...billCoverage(i.bill), ...bill },
    },
    totals: {
      optimizations: optimizations.length, completed: completed.length,
      regressed: completed.filter((o) => o.outcome === 'regressed').length, rolled_back: optimizations.filter((o) => o.status === 'rolled_back').length, failed: optimizations.filter((o) => o.status === 'failed').length,
      predicted_savings: predicted, realized_savings: realized, realization: ratio(realized, predicted),
      open_potential_savings: potentialSavings(i.open.filter((o) => o.validated).map((o) => ({ id: o.id, exclusiveGroup: o.exclusive_group ?? null, savingsUsd: o.estimated_savings })), current),
    },
    optimizations, open_recommendations: open, insights: [],
  }
  report.insights = insightsOf(report)
  return report
}

/** 3–5 findings, most telling first, each with the numbers behind it. */
export function insightsOf(r: SavingsReport): ReportInsight[] {
  const out: ReportInsight[] = []
  const done = r.optimizations.filter((o) => o.realization !== null)
  for (const o of [...done].sort((a, b) => (b.actual_savings ?? 0) - (a.actual_savings ?? 0)).slice(0, 2)) {
    out.push({ kind: 'realization', text: `${o.type.replace(/_/g, ' ')} realized ${pct(o.realization)} of its predicted savings on ${o.deployment_id ?? 'the fleet'} (${money(o.actual_savings ?? 0)} of ${money(o.predicted_savings ?? 0)} per month)`,
      data: { optimization_id: o.id, predicted_savings: o.predicted_savings, actual_savings: o.actual_savings, realization: o.realization } })
  }
  const s = r.spend
  if (s.before_monthly !== null && s.change !== null) {
    out.push({ kind: 'spend_change', text: `Monthly run-rate went from ${money(s.before_monthly)} to ${money(s.current_monthly)} (${s.change <= 0 ? '' : '+'}${pct(s.change_pct)}) since the first optimization`,
      data: { before_monthly: s.before_monthly, current_monthly: s.current_monthly, change: s.change, change_pct: s.change_pct, before_at: s.before_at } })
  }
  const top = r.open_recommendations[0]
  if (top) {
    out.push({ kind: 'largest_opportunity', text: `Largest open opportunity: ${top.title} — ${money(top.estimated_savings)}/month (${pct(ratio(top.estimated_savings, s.current_monthly))} of current spend)`,
      data: { recommendation_id: top.id, estimated_savings: top.estimated_savings, current_monthly: s.current_monthly, open_count: r.open_recommendations.length } })
  }
  const rolled = r.optimizations.filter((o) => o.status === 'rolled_back' || o.status === 'failed')
  if (rolled.length) {
    out.push({ kind: 'rollbacks', text: `${rolled.length} optimization(s) were rolled back safely; first reason: ${rolled[0]!.rollback_reason ?? 'not recorded'}`,
      data: { rolled_back: rolled.length, predicted_savings_forgone: sumUsd(rolled.map((o) => o.predicted_savings)) } })
  }
  if (out.length < 5 && s.bill_30d.total > 0) {
    const spot = s.bill_30d.by_pricing.spot ?? 0
    out.push({ kind: 'bill_mix', text: `Billed ${money(s.bill_30d.total)} over ${coveredText(s.bill_30d)}, ${pct(ratio(spot, s.bill_30d.total))} of it on spot capacity`,
      data: { bill_total: s.bill_30d.total, spot, on_demand: s.bill_30d.by_pricing['on-demand'] ?? 0 } })
  }
  if (out.length === 0) out.push({ kind: 'no_data', text: 'No optimizations or billed usage yet: run an analysis to find savings', data: { optimizations: 0 } })
  return out.slice(0, 5)
}
