/** The savings report as CSV: one row per optimization and a totals row (RFC 4180 quoting). */
import type { SavingsReport } from '../../api/reports.ts'

/** Quotes a CSV field; text starting like a formula is prefixed with ' so spreadsheets do not run it. */
export function csvField(v: string | number | null): string {
  if (v === null) return ''
  if (typeof v === 'number') return String(v)
  const safe = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v
  return /[",\r\n']/.test(safe) || safe !== v ? `"${safe.replace(/"/g, '""')}"` : safe
}

/** Column order of the CSV. */
export const CSV_COLUMNS = ['optimization_id', 'type', 'title', 'deployment_id', 'status', 'started_at', 'completed_at', 'predicted_savings', 'actual_savings', 'realization', 'rollback_reason', 'outcome', 'note'] as const

/** Renders the CSV text (CRLF line ends). */
export function renderSavingsCsv(r: SavingsReport): string {
  const rows = r.optimizations.map((o) => [o.id, o.type, o.title, o.deployment_id, o.status, o.started_at, o.completed_at, o.predicted_savings, o.actual_savings, o.realization, o.rollback_reason, o.outcome, o.note])
  const totals = ['TOTAL', null, `${r.totals.completed} completed of ${r.totals.optimizations}`, null, null, null, null, r.totals.predicted_savings, r.totals.realized_savings, r.totals.realization, null, `${r.totals.regressed} regressed`, null]
  return [[...CSV_COLUMNS], ...rows, totals].map((cols) => cols.map(csvField).join(',')).join('\r\n') + '\r\n'
}
