/**
 * SQL reads behind the metrics API: fleet-aggregated derived signals and quality scores per
 * epoch-aligned time bucket (aggregation rules in metrics.ts).
 */
import type { Db } from '../db/db.ts'
import type { DeploymentMetricType } from './record.ts'
import type { FleetAggregate } from './metrics.ts'

/** One bucket of a series; `score` is set for quality points. */
export interface SeriesPoint { at: Date; value: number; score?: number; n?: number }

/** Filters of a series query. */
export interface SeriesFilter { customerId: string; from: Date; to: Date; stepMs: number; deploymentId?: string; group?: 'stable' | 'canary' }

// Whitelisted SQL per aggregate (never built from user input).
const COMBINE: Record<Exclude<FleetAggregate, 'weighted'>, string> = { max: 'max(v)', sum: 'sum(v)', mean: 'avg(v)' }
const BUCKET = (col: string) => `to_timestamp(floor(extract(epoch FROM ${col}) * 1000 / $4::float8) * $4::float8 / 1000.0)`
// Each deployment's and group's mean per bucket ($1 customer, $2..$3 window, $4 step, $5 metric, $7 group);
// `deployments` is the condition on $6. The series below combine these rows across groups (and deployments).
const PER_GROUP = (deployments: string) => `WITH per AS (
       SELECT deployment_id, "group", ${BUCKET('ts')} AS bucket, avg(value) AS v
       FROM deployment_metrics
       WHERE customer_id = $1 AND metric_type = $5 AND ts >= $2 AND ts <= $3 AND ${deployments} AND ($7::text IS NULL OR "group" = $7)
       GROUP BY 1, 2, 3)`

/** A derived signal over the fleet (or one deployment), one point per bucket with data, oldest first. */
export async function deploymentSeries(db: Db, type: DeploymentMetricType, aggregate: FleetAggregate, f: SeriesFilter): Promise<SeriesPoint[]> {
  if (aggregate === 'weighted') return weightedErrorSeries(db, f)
  const rows = await db.query<{ at: Date; value: number }>(
    `${PER_GROUP('($6::text IS NULL OR deployment_id = $6)')}
     SELECT bucket AS at, ${COMBINE[aggregate]} AS value FROM per GROUP BY bucket ORDER BY bucket`,
    [f.customerId, f.from, f.to, f.stepMs, type, f.deploymentId ?? null, f.group ?? null])
  return rows.map((r) => ({ at: new Date(r.at), value: Number(r.value) }))
}

/**
 * The same series for each of several deployments in one statement (an analysis reads every
 * deployment of a fleet; one query each would cost a round trip per deployment). Deployments
 * without data in the window are absent from the map.
 */
export async function seriesByDeployment(db: Db, type: DeploymentMetricType, aggregate: Exclude<FleetAggregate, 'weighted'>, f: Omit<SeriesFilter, 'deploymentId'>, deploymentIds: string[]): Promise<Map<string, SeriesPoint[]>> {
  if (deploymentIds.length === 0) return new Map()
  const rows = await db.query<{ deployment_id: string; at: Date; value: number }>(
    `${PER_GROUP('deployment_id = ANY($6::text[])')}
     SELECT deployment_id, bucket AS at, ${COMBINE[aggregate]} AS value FROM per GROUP BY deployment_id, bucket ORDER BY deployment_id, bucket`,
    [f.customerId, f.from, f.to, f.stepMs, type, deploymentIds, f.group ?? null])
  const out = new Map<string, SeriesPoint[]>()
  for (const r of rows) {
    const points = out.get(r.deployment_id) ?? []
    points.push({ at: new Date(r.at), value: Number(r.value) })
    out.set(r.deployment_id, points)
  }
  return out
}

// Error rate weighted by the throughput scraped at the same instant; where a bucket saw no
// traffic at all the plain mean is used, so an idle fleet still shows its (zero) error rate.
async function weightedErrorSeries(db: Db, f: SeriesFilter): Promise<SeriesPoint[]> {
  const rows = await db.query<{ at: Date; value: number }>(
    `WITH pairs AS (
       SELECT ${BUCKET('e.ts')} AS bucket, e.value AS err, coalesce(t.value, 0) AS rps
       FROM deployment_metrics e LEFT JOIN deployment_metrics t
         ON t.customer_id = e.customer_id AND t.deployment_id = e.deployment_id AND t."group" = e."group" AND t.ts = e.ts AND t.metric_type = 'throughput_rps'
       WHERE e.customer_id = $1 AND e.metric_type = 'error_rate' AND e.ts >= $2 AND e.ts <= $3 AND ($5::text IS NULL OR e.deployment_id = $5) AND ($6::text IS NULL OR e."group" = $6))
     SELECT bucket AS at, CASE WHEN sum(rps) > 0 THEN sum(err * rps) / sum(rps) ELSE avg(err) END AS value
     FROM pairs GROUP BY bucket ORDER BY bucket`,
    [f.customerId, f.from, f.to, f.stepMs, f.deploymentId ?? null, f.group ?? null])
  return rows.map((r) => ({ at: new Date(r.at), value: Number(r.value) }))
}

/** Quality scores per bucket, weighted by prompts scored (`n`); value and score are the same number. */
export async function qualitySeries(db: Db, f: SeriesFilter): Promise<SeriesPoint[]> {
  const rows = await db.query<{ at: Date; value: number; n: number }>(
    `SELECT ${BUCKET('ts')} AS at, sum(score * n) / sum(n) AS value, sum(n)::int AS n
     FROM quality_scores
     WHERE customer_id = $1 AND ts >= $2 AND ts <= $3 AND ($5::text IS NULL OR deployment_id = $5)
     GROUP BY 1 ORDER BY 1`,
    [f.customerId, f.from, f.to, f.stepMs, f.deploymentId ?? null])
  return rows.map((r) => ({ at: new Date(r.at), value: Number(r.value), score: Number(r.value), n: Number(r.n) }))
}
