import { useMemo } from 'react'
import { CartesianGrid, Legend, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts'
import type { MetricPoint, MetricType } from '../api/types.ts'
import { specFor } from '../lib/metrics.ts'
import { clock, label, when } from '../lib/format.ts'
import { EmptyState } from './ui.tsx'

/** A moment of the rollout drawn on the chart (a step starting). */
export interface RolloutMarker { at: number; label: string }

interface Row { t: number; stable?: number; canary?: number }

/** Both groups' points on one time axis (a bucket either group has). */
function merge(stable: MetricPoint[], canary: MetricPoint[]): Row[] {
  const rows = new Map<number, Row>()
  const put = (points: MetricPoint[], key: 'stable' | 'canary') => {
    for (const p of points) {
      const t = new Date(p.timestamp).getTime()
      if (!Number.isFinite(t) || !Number.isFinite(p.value)) continue
      rows.set(t, { ...(rows.get(t) ?? { t }), [key]: p.value })
    }
  }
  put(stable, 'stable')
  put(canary, 'canary')
  return [...rows.values()].sort((a, b) => a.t - b.t)
}

/**
 * Canary against stable for one metric over a rollout, as the metrics API returns each group
 * (never smoothed), with the rollout's steps as vertical markers.
 */
export function CanaryOverlayChart({ type, stable, canary, start, end, markers, height = 240, testid }: {
  type: MetricType; stable: MetricPoint[]; canary: MetricPoint[]; start: number; end: number; markers: RolloutMarker[]; height?: number; testid?: string
}) {
  const rows = useMemo(() => merge(stable, canary), [stable, canary])
  const spec = useMemo(() => specFor(type, rows.flatMap((r) => [r.stable, r.canary].filter((v): v is number => v !== undefined))), [type, rows])
  if (rows.length === 0) return <EmptyState testid={testid ? `${testid}-empty` : 'chart-empty'} title="No measurements yet">Both groups appear once the runtime has scraped them.</EmptyState>
  return (
    <div className="chart" style={{ height }} data-testid={testid} data-stable-points={rows.filter((r) => r.stable !== undefined).length} data-canary-points={rows.filter((r) => r.canary !== undefined).length}
      role="img" aria-label={`${spec.label}: canary against stable, ${rows.length} points, ${markers.length} rollout steps marked`}>
      <ResponsiveContainer width="100%" height="100%">
        <LineChart data={rows} margin={{ top: 8, right: 12, bottom: 0, left: 4 }}>
          <CartesianGrid vertical={false} className="chart-grid" />
          <XAxis dataKey="t" type="number" scale="time" domain={[start, end]} tickFormatter={(v: number) => clock(v)} tickLine={false} axisLine={false} minTickGap={48} className="chart-axis" />
          <YAxis tickFormatter={(v: number) => spec.tick(v)} tickLine={false} axisLine={false} width={56} className="chart-axis" domain={['auto', 'auto']} />
          <Tooltip content={({ active, payload }) => {
            const row = active ? (payload?.[0]?.payload as Row | undefined) : undefined
            if (!row) return null
            return (
              <div className="chart-tooltip">
                <div className="muted small">{when(row.t)}</div>
                <div>stable <strong>{spec.format(row.stable)}</strong></div>
                <div>canary <strong>{spec.format(row.canary)}</strong></div>
              </div>
            )
          }} />
          <Legend />
          {markers.map((m) => <ReferenceLine key={`${m.at}-${m.label}`} x={m.at} className="chart-marker" strokeDasharray="3 3" label={{ value: label(m.label), position: 'insideTopLeft', className: 'chart-marker-label' }} />)}
          <Line type="linear" dataKey="stable" name="stable" stroke="var(--muted)" strokeWidth={2} dot={false} isAnimationActive={false} connectNulls />
          <Line type="linear" dataKey="canary" name="canary" stroke="var(--accent)" strokeWidth={2} dot={false} isAnimationActive={false} connectNulls />
        </LineChart>
      </ResponsiveContainer>
    </div>
  )
}
