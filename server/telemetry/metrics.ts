/**
 * The metrics API's vocabulary and rules, pure: which `metric_type`s exist, where each comes
 * from, how a fleet is aggregated per time bucket, and how query parameters become a window.
 */
import { DEPLOYMENT_METRIC_TYPES, type DeploymentMetricType } from './record.ts'

/**
 * How per-deployment values combine into one fleet value per bucket (each deployment group is
 * first averaged within the bucket):
 * - `max`: latency. The fleet meets a latency SLO only if its worst deployment does, so the chart
 *   shows the worst deployment, not a traffic-weighted mean that would hide a slow one.
 * - `sum`: rates and counts (requests/s, tokens/s, queue depth): fleet totals.
 * - `mean`: utilizations (KV cache, GPU, prefix-cache hit rate): the typical deployment.
 * - `weighted`: error rate, weighted by each deployment's throughput at the same scrape.
 */
export type FleetAggregate = 'max' | 'sum' | 'mean' | 'weighted'

/** Where a metric type's points come from. */
export type MetricSource =
  | { kind: 'deployment'; type: DeploymentMetricType; aggregate: FleetAggregate }
  | { kind: 'run_rate'; field: 'hourlyUsd' | 'monthlyUsd' }
  | { kind: 'quality' }

const AGGREGATE_OF = (t: DeploymentMetricType): FleetAggregate =>
  t.endsWith('_ms') ? 'max'
    : t === 'error_rate' ? 'weighted'
      : ['kv_cache_usage', 'gpu_utilization', 'prefix_cache_hit_rate'].includes(t) ? 'mean' : 'sum'

/** The seeds' names, mapped onto stored signals; every derived type is also queryable by its own name. */
export const METRIC_TYPES: Record<string, MetricSource> = {
  monthly_cost: { kind: 'run_rate', field: 'monthlyUsd' },
  hourly_cost: { kind: 'run_rate', field: 'hourlyUsd' },
  quality_score: { kind: 'quality' },
  p95_latency_ms: { kind: 'deployment', type: 'e2e_p95_ms', aggregate: 'max' },
  p99_latency_ms: { kind: 'deployment', type: 'e2e_p99_ms', aggregate: 'max' },
  ...Object.fromEntries(DEPLOYMENT_METRIC_TYPES.map((t) => [t, { kind: 'deployment', type: t, aggregate: AGGREGATE_OF(t) } as MetricSource])),
}

/** Most points one answer carries; the step grows to fit. */
export const MAX_POINTS = 500
/** Default window: the last 24 h of platform (simulated) time. */
export const DEFAULT_WINDOW_MS = 24 * 3_600_000
/** Longest window one query may span (the 1-hour rollups' retention). */
export const MAX_WINDOW_MS = 400 * 86_400_000

/** A validated metrics query. */
export interface MetricsWindow { source: MetricSource; from: Date; to: Date; stepMs: number }

/** Parsed query or the reason it is invalid (mapped to 400 OPT_VALIDATION_FAILED by the route). */
export type ParsedQuery = { ok: true; value: MetricsWindow } | { ok: false; message: string }

/** Raw query-string values. */
export interface MetricsParams { metric_type: string; start_time?: string; end_time?: string; step?: string }

/** Validates the parameters against the platform's `now` and picks a step giving ≤ MAX_POINTS points. */
export function parseMetricsQuery(q: MetricsParams, now: Date): ParsedQuery {
  const source = Object.hasOwn(METRIC_TYPES, q.metric_type) ? METRIC_TYPES[q.metric_type] : undefined
  if (!source) return { ok: false, message: `unknown metric_type "${q.metric_type}"; expected one of ${Object.keys(METRIC_TYPES).join(', ')}` }
  const to = q.end_time === undefined ? now : parseTime(q.end_time)
  if (!to) return { ok: false, message: 'end_time must be an ISO-8601 time or epoch seconds' }
  const from = q.start_time === undefined ? new Date(to.getTime() - DEFAULT_WINDOW_MS) : parseTime(q.start_time)
  if (!from) return { ok: false, message: 'start_time must be an ISO-8601 time or epoch seconds' }
  if (from.getTime() > to.getTime()) return { ok: false, message: 'start_time is after end_time' }
  const span = to.getTime() - from.getTime()
  if (span > MAX_WINDOW_MS) return { ok: false, message: `window longer than ${MAX_WINDOW_MS / 86_400_000} days` }
  const asked = q.step === undefined ? 0 : parseStep(q.step)
  if (asked === null) return { ok: false, message: 'step must be seconds or a duration like 30s, 5m, 1h' }
  // epoch-aligned buckets: a span of k steps touches at most k + 1 buckets, hence MAX_POINTS - 1
  const stepMs = Math.max(asked, Math.ceil(span / (MAX_POINTS - 1) / 1000) * 1000, 1000)
  return { ok: true, value: { source, from, to, stepMs } }
}

const ISO = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/

/** ISO-8601 (date or date-time) or Unix epoch seconds (fractions allowed), as Prometheus' API takes. */
export function parseTime(raw: string): Date | null {
  const s = raw.trim()
  let ms: number
  if (/^\d+(\.\d+)?$/.test(s)) ms = Number(s) * 1000
  else if (ISO.test(s)) ms = Date.parse(s)
  else return null
  return Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? new Date(ms) : null
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }

/** `60`, `60s`, `5m`, `1h`, `1d` → milliseconds (≥ 1 s); null when unparseable. */
export function parseStep(raw: string): number | null {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(raw.trim())
  if (!m) return null
  const ms = Number(m[1]) * UNIT_MS[m[2] ?? 's']!
  return Number.isFinite(ms) && ms >= 1000 && ms <= MAX_WINDOW_MS ? Math.round(ms) : null
}

/** Start of the bucket holding `ms` (buckets align to the Unix epoch, like Prometheus steps). */
export function bucketStart(ms: number, stepMs: number): number {
  return Math.floor(ms / stepMs) * stepMs
}

