/**
 * A completed change settled against the imported bill (FOCUS): the hourly effective cost of the
 * group it replaced, over the day before it started, against that of the group it put in place,
 * over the day after it settled. Cloud exports arrive a day or more late, so a change is
 * `awaiting_bill` until an import covers both windows; the run-rate figure the workflow records
 * at completion is the provisional one. Pure: `billSettlement` gathers the bill lines.
 */
import type { Db } from '../db/db.ts'
import { realizedSavings } from '../optimizations/savings.ts'
import { HOURS_PER_MONTH } from '../spend/run-rate.ts'
import { billCoverage, resourceUsage, type ResourceUsage } from './store.ts'

/** One side of a settlement: which resources, over which window. */
export interface SettlementWindow { from: Date; to: Date; resources: string[] }

/** What a settlement needs of a change. */
export interface SettledChange {
  original?: { instance_ids: string[]; captured_at: string }
  canary_ids?: string[]
  promoted_at?: string
  predictedUsd: number
}

const iso = (d: Date) => d.toISOString()
const round2 = (x: number) => Math.round(x * 100) / 100
const round4 = (x: number) => Math.round(x * 10_000) / 10_000

/** The settlement's two windows; null for a change that never put a new group in place. */
export function settlementWindows(c: SettledChange, hours: number, settleDelayMs: number): { before: SettlementWindow; after: SettlementWindow } | null {
  if (!c.original || !c.canary_ids?.length || !c.promoted_at) return null
  const span = hours * 3_600_000
  const started = Date.parse(c.original.captured_at)
  const settled = Date.parse(c.promoted_at) + settleDelayMs
  return {
    before: { from: new Date(started - span), to: new Date(started), resources: c.original.instance_ids },
    after: { from: new Date(settled), to: new Date(settled + span), resources: c.canary_ids },
  }
}

/** A group's hourly effective cost: each resource's cost over the hours it was billed, summed. */
export function hourlyRate(usage: ResourceUsage[]): number {
  return usage.reduce((sum, u) => sum + (u.hours > 0 ? u.effective_cost / u.hours : 0), 0)
}

export type Settlement =
  | { status: 'not_applicable'; reason: string }
  | { status: 'awaiting_bill'; needs_from: string; needs_until: string; covered_from: string | null; covered_until: string | null }
  | {
      status: 'settled'; before_hourly_usd: number; after_hourly_usd: number; monthly_cost_before: number; monthly_cost_after: number
      actual_savings: number; predicted_savings: number; prediction_error: number | null
      windows: { before: { from: string; to: string }; after: { from: string; to: string } }
      /** Resources of either group the bill holds no usage of in its window (their cost is unknown, not zero). */
      unbilled: string[]
    }

/** Settles a change from its windows, the bill's coverage and each group's usage. */
export function settle(w: { before: SettlementWindow; after: SettlementWindow }, coverage: { from: Date; to: Date } | null, usage: { before: ResourceUsage[]; after: ResourceUsage[] }, predictedUsd: number): Settlement {
  if (!coverage || coverage.from > w.before.from || coverage.to < w.after.to) {
    return { status: 'awaiting_bill', needs_from: iso(w.before.from), needs_until: iso(w.after.to), covered_from: coverage ? iso(coverage.from) : null, covered_until: coverage ? iso(coverage.to) : null }
  }
  const billed = (side: ResourceUsage[]) => new Set(side.filter((u) => u.hours > 0).map((u) => u.resource_id))
  const seen = { before: billed(usage.before), after: billed(usage.after) }
  const unbilled = [...w.before.resources.filter((r) => !seen.before.has(r)), ...w.after.resources.filter((r) => !seen.after.has(r))]
  const before = hourlyRate(usage.before) * HOURS_PER_MONTH
  const after = hourlyRate(usage.after) * HOURS_PER_MONTH
  const s = realizedSavings(before, after, predictedUsd)
  return {
    status: 'settled', before_hourly_usd: round4(before / HOURS_PER_MONTH), after_hourly_usd: round4(after / HOURS_PER_MONTH),
    monthly_cost_before: round2(before), monthly_cost_after: round2(after), actual_savings: s.actual, predicted_savings: s.predicted, prediction_error: s.prediction_error,
    windows: { before: { from: iso(w.before.from), to: iso(w.before.to) }, after: { from: iso(w.after.from), to: iso(w.after.to) } }, unbilled,
  }
}

/** A change's settlement against the customer's imported bills as they stand. */
export async function billSettlement(db: Db, customerId: string, c: SettledChange, hours: number, settleDelayMs: number): Promise<Settlement> {
  const w = settlementWindows(c, hours, settleDelayMs)
  if (!w) return { status: 'not_applicable', reason: 'the change did not complete with a new serving group' }
  const [coverage, before, after] = await Promise.all([
    billCoverage(db, customerId),
    resourceUsage(db, customerId, w.before.resources, w.before.from, w.before.to),
    resourceUsage(db, customerId, w.after.resources, w.after.from, w.after.to),
  ])
  return settle(w, coverage, { before, after }, c.predictedUsd)
}
