import { lazy, Suspense, type ComponentProps } from 'react'
import { Loading } from './ui.tsx'

// The chart library is the largest dependency: it loads after the page's figures are on screen.
const Chart = lazy(() => import('./charts.tsx').then((m) => ({ default: m.TimeSeriesChart })))

/** `TimeSeriesChart`, loaded on demand. */
export function LazyTimeSeriesChart(props: ComponentProps<typeof Chart>) {
  return (
    <Suspense fallback={<div className="chart" style={{ height: props.height ?? 220 }}><Loading lines={4} label="Loading chart…" /></div>}>
      <Chart {...props} />
    </Suspense>
  )
}
