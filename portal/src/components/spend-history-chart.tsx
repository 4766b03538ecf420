import { useMemo } from 'react'
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts'
import type { SpendHistory } from '../api/types.ts'
import { clock, usd, usdShort, when } from '../lib/format.ts'

/** The key a deployment's bars are stacked under (null: idle capacity). */
export const seriesKey = (id: string | null) => id ?? 'idle capacity'

// Distinguishable in light and dark themes; idle capacity always the same muted colour.
const PALETTE = ['#4f7cff', '#16a37a', '#e0883a', '#a35fd6', '#d2506a', '#2aa4c4', '#8a9a2b', '#c06fa0']
const IDLE = '#8b93a3'

/** Stacked bars: what the bill charged in each bucket, one colour per deployment. */
export function SpendHistoryChart({ h, height = 240 }: { h: SpendHistory; height?: number }) {
  const rows = useMemo(() => h.points.map((p) => ({ t: new Date(p.start).getTime(), ...Object.fromEntries(p.by_deployment.map((d) => [seriesKey(d.deployment_id), d.usd])) })), [h])
  const tick = h.bucket === 'hour' ? (v: number) => clock(v) : (v: number) => when(v).replace(/,.*/, '')
  return (
    <div className="chart" style={{ height }} data-testid="spend-history-chart" data-points={h.points.length} role="img" aria-label={`Cost per ${h.bucket} by deployment, ${h.points.length} ${h.bucket}s, ${usd(h.total_usd)} in total`}>
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={rows} margin={{ top: 8, right: 12, bottom: 0, left: 4 }}>
          <CartesianGrid vertical={false} className="chart-grid" />
          <XAxis dataKey="t" tickFormatter={tick} tickLine={false} axisLine={false} minTickGap={32} className="chart-axis" />
          <YAxis tickFormatter={(v: number) => usdShort(v)} tickLine={false} axisLine={false} width={56} className="chart-axis" />
          <Tooltip labelFormatter={(v) => when(v)} formatter={(v) => usd(v)} contentStyle={{ background: 'var(--surface)', color: 'var(--text)', border: '1px solid var(--border)' }} />
          {/* legend text in the theme's text colour: series colours are too light to read as text */}
          <Legend formatter={(v) => <span style={{ color: 'var(--text)' }}>{v}</span>} />
          {h.deployments.map((d, i) => (
            <Bar key={seriesKey(d)} dataKey={seriesKey(d)} stackId="cost" fill={d === null ? IDLE : PALETTE[i % PALETTE.length]} isAnimationActive={false} />
          ))}
        </BarChart>
      </ResponsiveContainer>
    </div>
  )
}
