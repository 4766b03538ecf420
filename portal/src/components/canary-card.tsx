import { lazy, Suspense } from 'react'
import { getMetrics } from '../api/endpoints.ts'
import { useQuery } from '../api/query.ts'
import type { MetricPoint, MetricType, Optimization } from '../api/types.ts'
import { fleetNow } from '../lib/fleet-clock.ts'
import { METRICS } from '../lib/metrics.ts'
import { Async, Card, Loading } from './ui.tsx'

// the chart library loads after the page's figures are on screen
const Chart = lazy(() => import('./canary-chart.tsx').then((m) => ({ default: m.CanaryOverlayChart })))

const OVERLAID: MetricType[] = ['p95_latency_ms', 'ttft_p95_ms', 'error_rate']
// the stable group's behaviour just before the change is the reference the canary is judged against
const BEFORE_MS = 10 * 60_000

interface Overlay { type: MetricType; stable: MetricPoint[]; canary: MetricPoint[] }
interface Window { start: number; end: number; overlays: Overlay[] }

async function fetchOverlays(customerId: string, o: Optimization): Promise<Window> {
  const end = o.completed_at ? new Date(o.completed_at).getTime() : (await fleetNow()).getTime()
  const start = new Date(o.started_at!).getTime() - BEFORE_MS
  const q = (type: MetricType, group: 'stable' | 'canary') => getMetrics(customerId, {
    metric_type: type, deployment_id: o.deployment_id!, group, start_time: new Date(start).toISOString(), end_time: new Date(end).toISOString(),
  })
  const overlays = await Promise.all(OVERLAID.map(async (type) => {
    const [stable, canary] = await Promise.all([q(type, 'stable'), q(type, 'canary')])
    return { type, stable, canary }
  }))
  return { start, end, overlays }
}

/** Canary against stable for latency, time to first token and errors over the rollout, steps marked. */
export function CanaryCard({ o }: { o: Optimization }) {
  const ready = !!o.customer_id && !!o.deployment_id && !!o.started_at
  const steps = o.execution_steps.filter((s) => s.started_at).map((s) => `${s.name}:${s.status}`).join(',')
  const q = useQuery(['canary-overlay', o.id, steps, o.status], () => fetchOverlays(o.customer_id!, o), { enabled: ready, minIntervalMs: 3000 })
  if (!ready) return null
  const markers = o.execution_steps.filter((s) => s.started_at).map((s) => ({ at: new Date(s.started_at!).getTime(), label: s.name }))
  return (
    <Card title="Canary against stable" subtitle="Each group as measured, with the rollout's steps marked; the 10 minutes before the change show the stable baseline" testid="canary-overlay">
      <Async q={q} lines={6}>{(w) => (
        <div className="grid-2">
          {w.overlays.map((x) => (
            <div key={x.type}>
              <h3 className="chart-title">{METRICS[x.type].label}</h3>
              <Suspense fallback={<Loading lines={4} label="Loading chart…" />}>
                <Chart type={x.type} stable={x.stable} canary={x.canary} start={w.start} end={w.end} markers={markers} testid={`overlay-${x.type}`} />
              </Suspense>
            </div>
          ))}
        </div>
      )}</Async>
    </Card>
  )
}
