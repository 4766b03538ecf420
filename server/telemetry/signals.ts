/**
 * What a deployment group looked like over a window, from the derived signals the runtime wrote:
 * the one read agents, validators and canary analysis share.
 */
import type { Db } from '../db/db.ts'
import type { DeploymentMetricType } from './record.ts'

/**
 * Window summary of one deployment group. Values are means over the window's scrape intervals,
 * except `errorRate` (weighted by throughput, so an idle interval's 0/0 does not count) and the
 * `*Max` fields (worst interval). A signal the fleet does not expose (e.g. no DCGM exporter) is null.
 */
export interface DeploymentSignals {
  p95LatencyMs: number | null
  p99LatencyMs: number | null
  ttftP95Ms: number | null
  errorRate: number | null
  throughputRps: number | null
  kvCacheUsage: number | null
  gpuUtilization: number | null
  queueDepth: number | null
  preemptionsPerSec: number | null
  /** Worst interval of the window: tail latency, KV pressure and queueing spikes that a mean hides. */
  p99LatencyMaxMs: number | null
  kvCacheUsageMax: number | null
  queueDepthMax: number | null
  /** Distinct scrape intervals in the window (0 → the function returns null instead). */
  samples: number
}

interface Agg { metric_type: DeploymentMetricType; avg: number; max: number }

/**
 * Summarizes the derived metrics of `deploymentId`'s `group` over `[from, to]`; null when the
 * runtime wrote nothing for it in that window (callers treat that as "no evidence", not as zero).
 */
export async function readDeploymentSignals(
  db: Db, customerId: string, deploymentId: string, window: { from: Date; to: Date }, group: 'stable' | 'canary' = 'stable',
): Promise<DeploymentSignals | null> {
  const params = [customerId, deploymentId, group, window.from, window.to]
  const [aggs, counts, weighted] = await Promise.all([
    db.query<Agg>(
      `SELECT metric_type, avg(value) AS avg, max(value) AS max FROM deployment_metrics
       WHERE customer_id = $1 AND deployment_id = $2 AND "group" = $3 AND ts >= $4 AND ts <= $5 GROUP BY metric_type`, params),
    db.query<{ n: number }>(
      `SELECT count(DISTINCT ts)::int AS n FROM deployment_metrics
       WHERE customer_id = $1 AND deployment_id = $2 AND "group" = $3 AND ts >= $4 AND ts <= $5`, params),
    db.query<{ rate: number | null }>(
      `SELECT sum(e.value * t.value) / nullif(sum(t.value), 0) AS rate
       FROM deployment_metrics e JOIN deployment_metrics t
         ON t.customer_id = e.customer_id AND t.deployment_id = e.deployment_id AND t."group" = e."group" AND t.ts = e.ts AND t.metric_type = 'throughput_rps'
       WHERE e.customer_id = $1 AND e.deployment_id = $2 AND e."group" = $3 AND e.ts >= $4 AND e.ts <= $5 AND e.metric_type = 'error_rate'`, params),
  ])
  const samples = counts[0]?.n ?? 0
  if (samples === 0) return null
  const by = new Map(aggs.map((a) => [a.metric_type, a]))
  const avg = (t: DeploymentMetricType) => num(by.get(t)?.avg)
  const max = (t: DeploymentMetricType) => num(by.get(t)?.max)
  return {
    p95LatencyMs: avg('e2e_p95_ms'),
    p99LatencyMs: avg('e2e_p99_ms'),
    ttftP95Ms: avg('ttft_p95_ms'),
    errorRate: num(weighted[0]?.rate) ?? avg('error_rate'),
    throughputRps: avg('throughput_rps'),
    kvCacheUsage: avg('kv_cache_usage'),
    gpuUtilization: avg('gpu_utilization'),
    queueDepth: avg('queue_depth'),
    preemptionsPerSec: avg('preemptions_per_sec'),
    p99LatencyMaxMs: max('e2e_p99_ms'),
    kvCacheUsageMax: max('kv_cache_usage'),
    queueDepthMax: max('queue_depth'),
    samples,
  }
}

function num(v: number | string | null | undefined): number | null {
  if (v === null || v === undefined) return null
  const n = Number(v)
  return Number.isFinite(n) ? n : null
}
