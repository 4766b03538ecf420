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
  /** Share of prompt tokens served from the prefix cache (vLLM's prefix-cache hits ÷ queries). */
  prefixCacheHitRate: number | null
  /** Tokens processed per second (prompt and generated), the denominator of cost per token. */
  promptTokensPerSec: number | null
  generationTokensPerSec: number | null
  /** Worst interval of the window: tail latency, KV pressure and queueing spikes that a mean hides. */
  p99LatencyMaxMs: number | null
  kvCacheUsageMax: number | null
  queueDepthMax: number | null
  /** Distinct scrape intervals in the window (0 → the function returns null instead). */
  samples: number
}

/** A per-metric row (n and rate null) or the deployment's totals row (metric_type null). */
interface Row { deployment_id: string; metric_type: DeploymentMetricType | null; avg: number | null; max: number | null; n: number; rate: number | null }

/**
 * Summarizes the derived metrics of `deploymentId`'s `group` over `[from, to]`; null when the
 * runtime wrote nothing for it in that window (callers treat that as "no evidence", not as zero).
 */
export async function readDeploymentSignals(
  db: Db, customerId: string, deploymentId: string, window: { from: Date; to: Date }, group: 'stable' | 'canary' = 'stable',
): Promise<DeploymentSignals | null> {
  return (await readSignalsByDeployment(db, customerId, [deploymentId], window, group)).get(deploymentId) ?? null
}

/**
 * The same summary for several deployments in one statement and one scan of the window, because
 * the dashboard and discovery views read every deployment of a fleet on each request.
 * Deployments without samples in the window are absent from the map.
 */
export async function readSignalsByDeployment(
  db: Db, customerId: string, deploymentIds: string[], window: { from: Date; to: Date }, group: 'stable' | 'canary' = 'stable',
): Promise<Map<string, DeploymentSignals>> {
  if (deploymentIds.length === 0) return new Map()
  // Two aggregations over the same index range, no self-join: the embedded store has no
  // autoanalyze, so a plan that needs row estimates (a join of the window with itself) goes bad.
  const rows = await db.query<Row>(
    `SELECT deployment_id, metric_type, avg(value) AS avg, max(value) AS max, NULL::int AS n, NULL::float8 AS rate
     FROM deployment_metrics
     WHERE customer_id = $1 AND deployment_id = ANY($2::text[]) AND "group" = $3 AND ts >= $4 AND ts <= $5
     GROUP BY deployment_id, metric_type
     UNION ALL
     SELECT deployment_id, NULL, NULL, NULL, count(*)::int, sum(err * tput) / nullif(sum(tput) FILTER (WHERE err IS NOT NULL), 0)
     FROM (
       SELECT deployment_id, ts, max(value) FILTER (WHERE metric_type = 'error_rate') AS err, max(value) FILTER (WHERE metric_type = 'throughput_rps') AS tput
       FROM deployment_metrics
       WHERE customer_id = $1 AND deployment_id = ANY($2::text[]) AND "group" = $3 AND ts >= $4 AND ts <= $5
       GROUP BY deployment_id, ts
     ) per_interval
     GROUP BY deployment_id`,
    [customerId, deploymentIds, group, window.from, window.to])
  const byDeployment = new Map<string, Row[]>()
  for (const r of rows) byDeployment.set(r.deployment_id, [...(byDeployment.get(r.deployment_id) ?? []), r])
  return new Map([...byDeployment].map(([id, aggs]) => [id, summarize(aggs)]))
}

function summarize(rows: Row[]): DeploymentSignals {
  const totals = rows.find((r) => r.metric_type === null)!
  const by = new Map(rows.map((a) => [a.metric_type, a]))
  const avg = (t: DeploymentMetricType) => num(by.get(t)?.avg)
  const max = (t: DeploymentMetricType) => num(by.get(t)?.max)
  return {
    p95LatencyMs: avg('e2e_p95_ms'),
    p99LatencyMs: avg('e2e_p99_ms'),
    ttftP95Ms: avg('ttft_p95_ms'),
    errorRate: num(totals.rate) ?? avg('error_rate'),
    throughputRps: avg('throughput_rps'),
    kvCacheUsage: avg('kv_cache_usage'),
    gpuUtilization: avg('gpu_utilization'),
    queueDepth: avg('queue_depth'),
    preemptionsPerSec: avg('preemptions_per_sec'),
    prefixCacheHitRate: avg('prefix_cache_hit_rate'),
    promptTokensPerSec: avg('prompt_tokens_per_sec'),
    generationTokensPerSec: avg('generation_tokens_per_sec'),
    p99LatencyMaxMs: max('e2e_p99_ms'),
    kvCacheUsageMax: max('kv_cache_usage'),
    queueDepthMax: max('queue_depth'),
    samples: totals.n,
  }
}

function num(v: number | string | null | undefined): number | null {
  if (v === null || v === undefined) return null
  const n = Number(v)
  return Number.isFinite(n) ? n : null
}
