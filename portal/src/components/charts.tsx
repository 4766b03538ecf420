import { useId, useMemo } from 'react'
import { Area, AreaChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts'
import type { MetricPoint, MetricType } from '../api/types.ts'
import { specFor } from '../lib/metrics.ts'
import { clock, when } from '../lib/format.ts'
import { EmptyState } from './ui.tsx'

interface Row { t: number; value: number; score?: number }

/**
 * One metric over time, as the metrics API returns it (points are plotted, never smoothed or
 * derived). The x axis spans the requested window so gaps in the data stay visible.
 */
export function TimeSeriesChart({ type, points, start, end, height = 220, testid }: {
  type: MetricType; points: MetricPoint[]; start?: number; end?: number; height?: number; testid?: string
}) {
  const gradient = useId().replace(/:/g, '')
  const rows = useMemo<Row[]>(() => points
    .map((p) => ({ t: new Date(p.timestamp).getTime(), value: p.value, ...(p.score !== undefined ? { score: p.score } : {}) }))
    .filter((r) => Number.isFinite(r.t) && Number.isFinite(r.value)), [points])
  const spec = useMemo(() => specFor(type, rows.map((r) => r.value)), [type, rows])
  if (rows.length === 0) {
    return <EmptyState testid={testid ? `${testid}-empty` : 'chart-empty'} title="No data in this range">Telemetry appears here once the agent runtime has scraped the fleet. Try a longer range.</EmptyState>
  }
  const span = (end ?? rows[rows.length - 1]!.t) - (start ?? rows[0]!.t)
  const tick = span > 36 * 3_600_000 ? (v: number) => when(v).replace(/,.*/, '') : (v: number) => clock(v)
  return (
    <div className="chart" style={{ height }} data-testid={testid} data-points={rows.length} role="img" aria-label={`${spec.label} chart, ${rows.length} points`}>
      <ResponsiveContainer width="100%" height="100%">
        <AreaChart data={rows} margin={{ top: 8, right: 12, bottom: 0, left: 4 }}>
          <defs>
            <linearGradient id={gradient} x1="0" y1="0" x2="0" y2="1">
              <stop offset="0%" stopColor="currentColor" stopOpacity={0.28} />
              <stop offset="100%" stopColor="currentColor" stopOpacity={0.02} />
            </linearGradient>
          </defs>
          <CartesianGrid vertical={false} className="chart-grid" />
          <XAxis
            dataKey="t" type="number" scale="time" domain={[start ?? 'dataMin', end ?? 'dataMax']}
            tickFormatter={tick} tickLine={false} axisLine={false} minTickGap={48} className="chart-axis"
          />
          <YAxis tickFormatter={(v: number) => spec.tick(v)} tickLine={false} axisLine={false} width={56} className="chart-axis" domain={['auto', 'auto']} />
          <Tooltip
            cursor={{ className: 'chart-cursor' }}
            content={({ active, payload }) => {
              const row = active ? (payload?.[0]?.payload as Row | undefined) : undefined
              if (!row) return null
              return (
                <div className="chart-tooltip">
                  <div className="muted small">{when(row.t)}</div>
                  <div><strong>{spec.format(row.value)}</strong> <span className="muted small">{spec.label}</span></div>
                  {row.score !== undefined && <div className="small">score {row.score}</div>}
                </div>
              )
            }}
          />
          <Area type="linear" dataKey="value" stroke="currentColor" strokeWidth={2} fill={`url(#${gradient})`} isAnimationActive={false} dot={false} activeDot={{ r: 3 }} />
        </AreaChart>
      </ResponsiveContainer>
    </div>
  )
}
