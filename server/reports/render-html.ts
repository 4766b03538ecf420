/**
 * The savings report as one self-contained HTML page: inline CSS and inline SVG bar charts, no
 * scripts and no external assets, so it can be mailed, archived or printed to PDF as is. Every
 * string that came from a user or the store is escaped.
 */
import type { SavingsReport } from '../../api/reports.ts'
import { coveredText, money } from './savings.ts'

/** Escapes text for HTML element content and quoted attributes. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!)
}

const e = escapeHtml
const n = (x: number | null) => (x === null ? '—' : money(x))
const pct = (x: number | null) => (x === null ? '—' : `${(x * 100).toFixed(1)}%`)

/** A bar of a grouped bar chart. */
interface Bar { label: string; values: { name: string; value: number; color: string }[] }

/** An inline SVG grouped bar chart (values ≥ 0), labelled, with a legend. */
export function barChart(title: string, bars: Bar[], width = 640): string {
  const height = 220, top = 30, bottom = 40, left = 70
  const max = Math.max(1, ...bars.flatMap((b) => b.values.map((v) => v.value)))
  const slot = (width - left - 10) / Math.max(1, bars.length)
  const per = bars[0]?.values.length ?? 1
  const barW = Math.min(40, (slot * 0.8) / per)
  const scale = (v: number) => ((height - top - bottom) * Math.max(0, v)) / max
  const rects = bars.map((b, i) => {
    const x0 = left + i * slot + (slot - barW * per) / 2
    const cols = b.values.map((v, j) => {
      const h = scale(v.value), x = x0 + j * barW, y = height - bottom - h
      return `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${(barW - 2).toFixed(1)}" height="${h.toFixed(1)}" fill="${v.color}"><title>${e(v.name)}: ${e(money(v.value))}</title></rect>` +
        `<text x="${(x + barW / 2).toFixed(1)}" y="${(y - 4).toFixed(1)}" font-size="9" text-anchor="middle">${e(money(v.value))}</text>`
    }).join('')
    return `${cols}<text x="${(left + i * slot + slot / 2).toFixed(1)}" y="${height - bottom + 14}" font-size="10" text-anchor="middle">${e(b.label.slice(0, 28))}</text>`
  }).join('')
  const legend = (bars[0]?.values ?? []).map((v, j) => `<rect x="${left + j * 130}" y="8" width="10" height="10" fill="${v.color}"/><text x="${left + j * 130 + 14}" y="17" font-size="11">${e(v.name)}</text>`).join('')
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="${e(title)}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">` +
    `<line x1="${left}" y1="${height - bottom}" x2="${width - 10}" y2="${height - bottom}" stroke="#999"/>` +
    `<text x="4" y="${top + 10}" font-size="10">${e(money(max))}</text>${legend}${rects}</svg>`
}

const CSS = `body{font-family:Helvetica,Arial,sans-serif;color:#1d2733;margin:32px;max-width:960px}h1{margin:0 0 4px}h2{margin-top:28px;border-bottom:1px solid #dde3ea;padding-bottom:4px}
.muted{color:#64748b}.kpis{display:flex;gap:16px;flex-wrap:wrap}.kpi{border:1px solid #dde3ea;border-radius:6px;padding:10px 14px;min-width:150px}.kpi b{display:block;font-size:20px}
table{border-collapse:collapse;width:100%;font-size:13px}th,td{text-align:left;padding:5px 8px;border-bottom:1px solid #eef1f4}td.num,th.num{text-align:right}li{margin:4px 0}`

function kpis(r: SavingsReport): string {
  const k = (label: string, value: string) => `<div class="kpi"><span class="muted">${e(label)}</span><b>${e(value)}</b></div>`
  return `<div class="kpis">${k('Spend before (monthly)', n(r.spend.before_monthly))}${k('Spend now (monthly)', n(r.spend.current_monthly))}` +
    `${k('Realized savings (monthly)', n(r.totals.realized_savings))}${k('Realization of prediction', pct(r.totals.realization))}` +
    `${k(`Billed over ${coveredText(r.spend.bill_30d)}`, n(r.spend.bill_30d.total))}${k('Open potential (monthly)', n(r.totals.open_potential_savings))}</div>`
}

function optimizationsTable(r: SavingsReport): string {
  if (!r.optimizations.length) return '<p class="muted">No optimizations yet.</p>'
  const rows = r.optimizations.map((o) => `<tr><td>${e(o.title || o.type)}</td><td>${e(o.deployment_id ?? '')}</td><td>${e(o.outcome === 'regressed' ? 'completed, regressed' : o.status)}</td>` +
    `<td class="num">${n(o.predicted_savings)}</td><td class="num">${n(o.actual_savings)}</td><td class="num">${pct(o.realization)}</td><td>${e(o.rollback_reason ?? o.note ?? '')}</td></tr>`).join('')
  return `<table><tr><th>Optimization</th><th>Deployment</th><th>Status</th><th class="num">Predicted</th><th class="num">Realized</th><th class="num">Realization</th><th>Rollback or regression reason</th></tr>${rows}</table>`
}

function openTable(r: SavingsReport): string {
  if (!r.open_recommendations.length) return '<p class="muted">No open validated recommendations.</p>'
  const rows = r.open_recommendations.map((o) => `<tr><td>${o.rank}</td><td>${e(o.title)}</td><td>${e(o.agent_type)}</td><td>${e(o.risk_level)}</td><td>${e(o.deployment_id ?? '')}</td><td class="num">${n(o.estimated_savings)}</td></tr>`).join('')
  return `<table><tr><th>#</th><th>Recommendation</th><th>Agent</th><th>Risk</th><th>Deployment</th><th class="num">Est. savings / month</th></tr>${rows}</table>`
}

/** The whole report page. */
export function renderSavingsHtml(r: SavingsReport): string {
  const spendChart = barChart('Monthly spend before and after', [
    { label: 'Monthly run-rate', values: [{ name: 'Before', value: r.spend.before_monthly ?? r.spend.current_monthly, color: '#94a3b8' }, { name: 'Now', value: r.spend.current_monthly, color: '#2563eb' }] },
  ], 360)
  const perOpt = r.optimizations.filter((o) => o.status === 'completed')
  const savingsChart = perOpt.length
    ? barChart('Predicted vs realized savings per optimization', perOpt.map((o) => ({ label: `${o.type} ${o.deployment_id ?? ''}`, values: [
      { name: 'Predicted', value: o.predicted_savings ?? 0, color: '#f59e0b' }, { name: 'Realized', value: o.actual_savings ?? 0, color: '#16a34a' }] })))
    : ''
  const insights = r.insights.map((i) => `<li>${e(i.text)}</li>`).join('')
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Savings report — ${e(r.company_name)}</title><style>${CSS}</style></head><body>` +
    `<h1>Executive savings report</h1><div class="muted">${e(r.company_name)} · generated ${e(r.generated_at)}</div>` +
    `<h2>Summary</h2>${kpis(r)}<h2>Key insights</h2><ul>${insights}</ul>` +
    `<h2>Spend before and after</h2>${spendChart}<p class="muted">Before: run-rate at the first optimization's start (${e(r.spend.before_at ?? 'no optimization yet')}); now: run-rate from the bill's last hour.</p>` +
    `<h2>Realized vs predicted savings</h2>${savingsChart}${optimizationsTable(r)}` +
    `<h2>Open opportunities</h2>${openTable(r)}</body></html>`
}
