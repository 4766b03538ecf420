import { getMetrics } from '../api/endpoints.ts'
import { useQuery, type QueryState } from '../api/query.ts'
import type { MetricPoint, MetricType } from '../api/types.ts'
import { fleetNow } from './fleet-clock.ts'
import { rangeOf } from './metrics.ts'

/** A metric series with the window it was asked for (so charts show the full window). */
export interface Series { points: MetricPoint[]; start: number; end: number }

/** Fetches one metric over the last `range` of platform time, optionally for one deployment. */
export async function fetchSeries(customerId: string, type: MetricType, range: string, deploymentId?: string): Promise<Series> {
  const end = await fleetNow()
  const start = new Date(end.getTime() - rangeOf(range).ms)
  const points = await getMetrics(customerId, {
    metric_type: type, start_time: start.toISOString(), end_time: end.toISOString(), ...(deploymentId ? { deployment_id: deploymentId } : {}),
  })
  return { points: Array.isArray(points) ? points : [], start: start.getTime(), end: end.getTime() }
}

/** React hook over `fetchSeries`; live metric hints refetch it, at most every `minIntervalMs`. */
export function useMetric(customerId: string | null, type: MetricType, range: string, deploymentId?: string, minIntervalMs = 3000): QueryState<Series> {
  return useQuery(['metrics', customerId, type, range, deploymentId ?? ''], () => fetchSeries(customerId!, type, range, deploymentId), {
    enabled: !!customerId, minIntervalMs,
  })
}

/** The latest point of a series (what "now" means for a per-deployment figure). */
export function latest(s: Series | undefined): MetricPoint | undefined {
  return s?.points.length ? s.points[s.points.length - 1] : undefined
}
