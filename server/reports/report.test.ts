import { describe, expect, it } from 'vitest'
import type { Optimization } from '../../api/optimizations.ts'
import type { BillLine } from '../cloud/provider.ts'
import { assembleSavingsReport, billSummary, firstStart, rankOpen, type SavingsInputs } from './savings.ts'
import { escapeHtml, renderSavingsHtml } from './render-html.ts'
import { csvField, renderSavingsCsv } from './render-csv.ts'

const opt = (o: Omit<Partial<Optimization>, 'result'> & { result: Record<string, unknown> }): Optimization => ({
  id: 'o1', recommendation_id: 'r1', customer_id: 'c1', type: 'spot_migration', deployment_id: 'vllm-prod-1', title: 'Move to spot', status: 'completed',
  phase: 'done', current_step: null, pause_reason: null, abort_reason: null, created_at: '2026-01-01T00:00:00.000Z', started_at: '2026-01-01T01:00:00.000Z',
  completed_at: '2026-01-01T02:00:00.000Z', execution_steps: [], rollback: null, ...o, result: { success: true, error: null, ...o.result },
  // the fixture fills only the fields the report reads
} as unknown as Optimization)

const line = (pricing: BillLine['pricing'], costUsd: number): BillLine => ({ instanceId: 'i', instanceType: 'p4d.24xlarge', pricing, deploymentId: 'd', from: '', to: '', hours: 1, costUsd })

const inputs = (over: Partial<SavingsInputs> = {}): SavingsInputs => ({
  customer: { id: 'c1', company_name: 'Acme <b>"Corp"</b>' }, now: new Date('2026-01-02T00:00:00Z'),
  optimizations: [
    opt({ result: { predicted_savings: 20_000, actual_savings: 19_600 } }),
    opt({ id: 'o2', type: 'kv_cache_tuning', status: 'rolled_back', started_at: '2026-01-01T00:30:00.000Z', result: { success: false, predicted_savings: 3000, actual_savings: 0, rollback_reason: 'quality dropped 7%' } }),
  ],
  open: [
    { id: 'a', type: 'rightsizing', title: 'Smaller', agent_type: 'resource', risk_level: 'low', deployment_id: 'd', estimated_savings: 1000, validated: true },
    { id: 'b', type: 'spot_migration', title: 'Spot =cmd', agent_type: 'cost', risk_level: 'medium', deployment_id: 'd', estimated_savings: 5000, validated: true },
    { id: 'c', type: 'fp8', title: 'Not yet validated', agent_type: 'performance', risk_level: 'low', deployment_id: 'd', estimated_savings: 9000, validated: false },
  ],
  before: { at: new Date('2026-01-01T00:30:00Z'), monthly: 43_800 }, currentMonthly: 24_200,
  bill: { from: new Date('2025-12-03T00:00:00Z'), to: new Date('2026-01-02T00:00:00Z'), lines: [line('on-demand', 100.5), line('spot', 20.25), line('spot', 4.75)] },
  ...over,
})

describe('savings report assembly', () => {
  it('totals realized and predicted savings over completed optimizations only and keeps rollback reasons', () => {
    const r = assembleSavingsReport(inputs())
    expect(r.totals).toMatchObject({ optimizations: 2, completed: 1, rolled_back: 1, predicted_savings: 20_000, realized_savings: 19_600, realization: 0.98, open_potential_savings: 6000 })
    expect(r.optimizations[1]).toMatchObject({ status: 'rolled_back', rollback_reason: 'quality dropped 7%', realization: null })
    expect(r.spend).toMatchObject({ before_monthly: 43_800, current_monthly: 24_200, change: -19_600, change_pct: -0.4475 })
    expect(r.spend.bill_30d).toMatchObject({ total: 125.5, by_pricing: { 'on-demand': 100.5, spot: 25 } })
  })

  it('shows a completed change that lost money as regressed, with why, next to the successes', () => {
    const regressed = opt({ id: 'o3', result: { success: false, outcome: 'regressed', error: 'realized savings are negative (-500.00 USD/month)', predicted_savings: 1000, actual_savings: -500 } })
    const r = assembleSavingsReport(inputs({ optimizations: [...inputs().optimizations, regressed] }))
    expect(r.totals).toMatchObject({ completed: 2, regressed: 1, realized_savings: 19_100 })
    expect(r.optimizations[2]).toMatchObject({ status: 'completed', outcome: 'regressed', note: 'realized savings are negative (-500.00 USD/month)' })
    expect(renderSavingsHtml(r)).toContain('<td>completed, regressed</td>')
    expect(renderSavingsCsv(r).split('\r\n')[3]).toMatch(/,regressed,realized savings are negative \(-500\.00 USD\/month\)$/)
  })

  it('labels the bill with the span it covers: 30 days, or since billing began', () => {
    const at = (h: number) => new Date(Date.parse('2026-01-02T00:00:00Z') - h * 3_600_000).toISOString()
    const young = { ...line('on-demand', 10), from: at(4.25), to: at(0) }
    const r = assembleSavingsReport(inputs({ bill: { ...inputs().bill, lines: [young] } }))
    expect(r.spend.bill_30d).toMatchObject({ covered_from: at(4.25), covered_hours: 4.25, total: 10 })
    expect(renderSavingsHtml(r)).toContain('Billed over the 4.3 hours since billing began')
    const old = assembleSavingsReport(inputs({ bill: { ...inputs().bill, lines: [{ ...young, from: at(40 * 24) }] } }))
    expect(old.spend.bill_30d.covered_hours).toBe(720)
    expect(renderSavingsHtml(old)).toContain('Billed over the last 30 days')
  })

  it('ranks only validated open recommendations, largest first', () => {
    expect(rankOpen(inputs().open).map((o) => [o.rank, o.id])).toEqual([[1, 'b'], [2, 'a']])
  })

  it('gives 3–5 insights, each carrying the numbers it states', () => {
    const r = assembleSavingsReport(inputs())
    expect(r.insights.length).toBeGreaterThanOrEqual(3)
    expect(r.insights.length).toBeLessThanOrEqual(5)
    const real = r.insights.find((i) => i.kind === 'realization')!
    expect(real.text).toBe('spot migration realized 98.0% of its predicted savings on vllm-prod-1 ($19,600 of $20,000 per month)')
    expect(real.data).toMatchObject({ actual_savings: 19_600, predicted_savings: 20_000, realization: 0.98 })
    expect(r.insights.find((i) => i.kind === 'largest_opportunity')!.data).toMatchObject({ recommendation_id: 'b', estimated_savings: 5000 })
    expect(r.insights.find((i) => i.kind === 'rollbacks')!.text).toMatch(/quality dropped 7%/)
  })

  it('says so when there is nothing yet', () => {
    const r = assembleSavingsReport(inputs({ optimizations: [], open: [], before: null, currentMonthly: 0, bill: { ...inputs().bill, lines: [] } }))
    expect(r.insights.map((i) => i.kind)).toEqual(['no_data'])
    expect(r.spend.change).toBeNull()
    expect(firstStart([])).toBeNull()
    expect(billSummary([])).toEqual({ total: 0, by_pricing: {} })
  })

  it('counts cross-cloud data transfer apart from the instances\' pricing models', () => {
    const line = { instanceId: 'i-1', instanceType: 'g7e.12xlarge', pricing: 'spot' as const, deploymentId: 'd', from: '2026-03-02T00:00:00Z', to: '2026-03-02T01:00:00Z', hours: 1 }
    const lines = [{ ...line, costUsd: 3 }, { ...line, costUsd: 0.25, transfer: { direction: 'from_instance' as const, cloud: 'aws' as const, region: 'us-east-1', gb: 2.5 } }]
    expect(billSummary(lines)).toEqual({ total: 3.25, by_pricing: { spot: 3, data_transfer: 0.25 } })
  })
})

describe('savings report rendering', () => {
  it('renders self-contained HTML with escaped user strings and SVG charts', () => {
    const html = renderSavingsHtml(assembleSavingsReport(inputs()))
    expect(html).toContain('Acme &lt;b&gt;&quot;Corp&quot;&lt;/b&gt;')
    expect(html).not.toContain('<b>"Corp"')
    expect(html.match(/<svg/g)).toHaveLength(2)
    expect(html).not.toMatch(/<script|<link|src=/)
    expect(escapeHtml(`<a href='x'>&</a>`)).toBe('&lt;a href=&#39;x&#39;&gt;&amp;&lt;/a&gt;')
  })

  it('renders CSV with one row per optimization plus totals, quoting and neutralizing formulas', () => {
    const csv = renderSavingsCsv(assembleSavingsReport(inputs({ optimizations: [opt({ title: '=HYPERLINK("x"), bad', result: { predicted_savings: 10, actual_savings: 9 } })] })))
    const rows = csv.trimEnd().split('\r\n')
    expect(rows).toHaveLength(3)
    expect(rows[1]).toBe(`o1,spot_migration,"'=HYPERLINK(""x""), bad",vllm-prod-1,completed,2026-01-01T01:00:00.000Z,2026-01-01T02:00:00.000Z,10,9,0.9,,,`)
    expect(rows[2]).toBe('TOTAL,,1 completed of 1,,,,,10,9,0.9,,0 regressed,')
    expect(csvField(null)).toBe('')
    expect(csvField(-3.5)).toBe('-3.5')
  })
})
