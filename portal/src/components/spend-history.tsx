/**
 * Cost over time on the Cost dashboard (issue 14): what the bill charged per hour (last day) or per
 * day, stacked by deployment with idle capacity apart, and each deployment's total over the window.
 * Every figure is the spend-history API's; the totals add up to the window's bill.
 */
import { lazy, Suspense, useState } from 'react'
import { getSpendHistory } from '../api/endpoints.ts'
import { useQuery } from '../api/query.ts'
import type { SpendHistory } from '../api/types.ts'
import { usd } from '../lib/format.ts'
import { Async, Card, EmptyState, Loading, scrollRegion } from './ui.tsx'

// The chart library loads after the figures are on screen, as the other charts do.
const Chart = lazy(() => import('./spend-history-chart.tsx').then((m) => ({ default: m.SpendHistoryChart })))

const WINDOWS = [{ days: 1, label: '24 h' }, { days: 7, label: '7 d' }, { days: 30, label: '30 d' }]

export function SpendHistoryCard({ customerId }: { customerId: string }) {
  const [days, setDays] = useState(7)
  const q = useQuery(['spend-history', customerId, days], () => getSpendHistory(customerId, days))
  const controls = (
    <div className="segmented" role="group" aria-label="Cost history window">
      {WINDOWS.map((w) => (
        <button key={w.days} type="button" aria-pressed={w.days === days} className={w.days === days ? 'active' : ''} onClick={() => setDays(w.days)} data-testid={`spend-window-${w.days}`}>{w.label}</button>
      ))}
    </div>
  )
  return (
    <Card title="Cost over time" subtitle="What the bill charged, by deployment (fleet time)" actions={controls} testid="spend-history">
      <Async q={q} lines={5} isEmpty={(h) => h.total_usd === 0} empty={<EmptyState title="Nothing billed in this window">Costs appear once the cloud bills the fleet.</EmptyState>}>
        {(h) => (
          <>
            <Suspense fallback={<div className="chart" style={{ height: 240 }}><Loading lines={4} label="Loading chart…" /></div>}><Chart h={h} /></Suspense>
            <WindowTotals h={h} />
          </>
        )}
      </Async>
    </Card>
  )
}

function WindowTotals({ h }: { h: SpendHistory }) {
  const totals = h.deployments.map((d) => ({ d, usd: h.points.reduce((s, p) => s + (p.by_deployment.find((x) => x.deployment_id === d)?.usd ?? 0), 0) }))
  return (
    <div className="table-wrap" {...scrollRegion('Cost over the window by deployment')}>
      <table className="table" data-testid="spend-history-table">
        <thead><tr><th scope="col">Deployment</th><th scope="col" className="num">Cost over the window</th></tr></thead>
        <tbody>
          {totals.map((t) => (
            <tr key={t.d ?? 'idle'} data-testid="spend-history-row" data-deployment={t.d ?? ''}>
              <td className={t.d ? 'mono' : ''}>{t.d ?? 'Idle capacity'}</td><td className="num">{usd(t.usd)}</td>
            </tr>
          ))}
        </tbody>
        <tfoot><tr><th scope="row">Total billed</th><td className="num strong" data-testid="spend-history-total">{usd(h.total_usd)}</td></tr></tfoot>
      </table>
    </div>
  )
}
