/**
 * Telemetry records as runtimes push them, and the pure rules that accept or quarantine each one.
 * No I/O here: `checkRecord` decides, `store.ts` writes.
 */
import { findBadText } from '../text.ts'

/** Which series a sample belongs to; labels plus the fleet coordinates agents query by. */
export interface SeriesRef {
  metric: string
  labels: Record<string, string>
  deployment_id?: string | null
  instance_id?: string | null
  group?: string | null
}

/** One sample on the wire: `ts` is an ISO-8601 string or epoch milliseconds; `value` a finite number. */
export interface IngestRecord {
  series: SeriesRef
  ts: string | number
  value: number | string
}

/** A record that passed every rule, normalized (ms timestamp, canonical series identity). */
export interface CheckedSample {
  /** Canonical, injective series identity (JSON); hashed into `telemetry_series.key`. */
  canon: string
  series: Required<SeriesRef>
  tsMs: number
  value: number
}

/** Stable reason codes for quarantined records (JSON snake case; counted per batch). */
export type QuarantineReason =
  | 'record_not_object' | 'series_invalid' | 'metric_invalid' | 'labels_invalid' | 'coordinate_invalid'
  | 'ts_invalid' | 'ts_future' | 'ts_too_old' | 'value_invalid' | 'value_not_finite' | 'derived_metric_invalid'
  | 'text_invalid'

/** The verdict on one record. */
export type RecordCheck = { ok: true; sample: CheckedSample } | { ok: false; reason: QuarantineReason; detail: string }

/** Time bounds a sample must fall in, relative to the platform clock. */
export interface TimeBounds { nowMs: number; maxFutureMs: number; maxAgeMs: number }

/**
 * Derived per-deployment signals: a sample named `deployment:<type>` with a deployment id and a
 * group is also written to `deployment_metrics`, the table agents and canary analysis read.
 */
export const DEPLOYMENT_METRIC_PREFIX = 'deployment:'

/** Every derived signal type the runtime produces (units in the name; rates are per second). */
export const DEPLOYMENT_METRIC_TYPES = [
  'ttft_p50_ms', 'ttft_p95_ms', 'ttft_p99_ms',
  'e2e_p50_ms', 'e2e_p95_ms', 'e2e_p99_ms',
  'itl_p95_ms', 'queue_time_p95_ms',
  'throughput_rps', 'error_rate', 'generation_tokens_per_sec', 'prompt_tokens_per_sec',
  'kv_cache_usage', 'gpu_utilization', 'queue_depth', 'requests_running',
  'preemptions_per_sec', 'prefix_cache_hit_rate',
] as const
export type DeploymentMetricType = (typeof DEPLOYMENT_METRIC_TYPES)[number]
const DERIVED = new Set<string>(DEPLOYMENT_METRIC_TYPES)

/** Serving groups of a deployment. */
export const GROUPS = ['stable', 'canary'] as const

// Prometheus' own charsets: anything else could not be re-exposed or queried by name.
const METRIC_RE = /^[a-zA-Z_:][a-zA-Z0-9_:]{0,199}$/
const LABEL_RE = /^[a-zA-Z_][a-zA-Z0-9_]{0,99}$/
const ISO_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/
const MAX_LABELS = 32
const MAX_LABEL_VALUE = 1024
const MAX_COORDINATE = 200
// The exposition spellings of non-finite values; JSON cannot carry NaN, so runtimes send these.
const NON_FINITE = new Set(['NaN', 'nan', '+Inf', '-Inf', 'Inf', 'Infinity', '-Infinity'])

export type Rejection = Extract<RecordCheck, { ok: false }>
const bad = (reason: QuarantineReason, detail: string): Rejection => ({ ok: false, reason, detail })

/** A series that passed its rules, with its canonical identity. */
export interface CheckedSeries { canon: string; series: Required<SeriesRef> }

/** Per-batch memo of series checks by object identity (records of one scrape share series objects). */
export type SeriesMemo = Map<object, CheckedSeries | Rejection>

/** Checks a series reference, including the rules of derived `deployment:*` series. */
export function checkSeriesRef(s: unknown): CheckedSeries | Rejection {
  const series = checkSeries(s)
  if ('ok' in series) return series
  const derived = checkDerived(series)
  if (derived) return derived
  return { canon: canonicalSeries(series), series }
}

/** Accepts or quarantines one record (series rules first, then time, then value: the first failure is the reason). */
export function checkRecord(raw: unknown, bounds: TimeBounds, memo?: SeriesMemo): RecordCheck {
  if (!isObject(raw)) return bad('record_not_object', 'record is not an object')
  const ref = raw.series
  const memoable = memo !== undefined && typeof ref === 'object' && ref !== null
  let cs = memoable ? memo.get(ref) : undefined
  if (cs === undefined) {
    cs = checkSeriesRef(ref)
    if (memoable) memo.set(ref, cs)
  }
  if ('ok' in cs) return cs
  const ts = checkTs(raw.ts, bounds)
  if (typeof ts !== 'number') return ts
  const value = checkValue(raw.value)
  if (typeof value !== 'number') return value
  return { ok: true, sample: { canon: cs.canon, series: cs.series, tsMs: ts, value } }
}

function checkSeries(s: unknown): Required<SeriesRef> | Rejection {
  if (!isObject(s)) return bad('series_invalid', 'series is missing or not an object')
  // one bad label must cost one record, not the batch: PostgreSQL would fail the whole insert
  const badText = findBadText(s, 'series')
  if (badText) return bad('text_invalid', badText)
  if (typeof s.metric !== 'string' || !METRIC_RE.test(s.metric)) return bad('metric_invalid', `metric ${JSON.stringify(s.metric)?.slice(0, 100)} is not a valid metric name`)
  const labels = checkLabels(s.labels)
  if (typeof labels === 'string') return bad('labels_invalid', labels)
  const coords: (string | null)[] = []
  for (const key of ['deployment_id', 'instance_id', 'group'] as const) {
    const v = s[key]
    if (v === undefined || v === null) { coords.push(null); continue }
    if (typeof v !== 'string' || v.length === 0 || v.length > MAX_COORDINATE) return bad('coordinate_invalid', `${key} must be a non-empty string of at most ${MAX_COORDINATE} characters`)
    coords.push(v)
  }
  return { metric: s.metric, labels, deployment_id: coords[0] ?? null, instance_id: coords[1] ?? null, group: coords[2] ?? null }
}

function checkLabels(l: unknown): Record<string, string> | string {
  if (l === undefined || l === null) return {}
  if (!isObject(l)) return 'labels must be an object of strings'
  const keys = Object.keys(l)
  if (keys.length > MAX_LABELS) return `more than ${MAX_LABELS} labels`
  for (const k of keys) {
    const v = l[k]
    if (!LABEL_RE.test(k)) return `label name ${JSON.stringify(k).slice(0, 100)} is not valid`
    if (typeof v !== 'string' || v.length > MAX_LABEL_VALUE) return `label ${k} must be a string of at most ${MAX_LABEL_VALUE} characters`
  }
  return l as Record<string, string>
}

function checkTs(ts: unknown, b: TimeBounds): number | Rejection {
  let ms: number
  if (typeof ts === 'number') ms = ts
  else if (typeof ts === 'string' && ISO_RE.test(ts)) ms = Date.parse(ts)
  else return bad('ts_invalid', `ts ${JSON.stringify(ts)?.slice(0, 60)} is not an ISO-8601 time or epoch milliseconds`)
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) return bad('ts_invalid', 'ts is not a valid date')
  ms = Math.floor(ms) // stored at millisecond precision, like every clock in the platform
  if (ms > b.nowMs + b.maxFutureMs) return bad('ts_future', `ts ${new Date(ms).toISOString()} is more than ${b.maxFutureMs / 1000} s ahead of the platform clock`)
  if (ms < b.nowMs - b.maxAgeMs) return bad('ts_too_old', `ts ${new Date(ms).toISOString()} is older than the ${b.maxAgeMs / 3_600_000} h acceptance window`)
  return ms
}

function checkValue(v: unknown): number | Rejection {
  if (typeof v === 'number') return Number.isFinite(v) ? v : bad('value_not_finite', `value ${v} cannot be aggregated`)
  if (typeof v === 'string' && NON_FINITE.has(v)) return bad('value_not_finite', `value ${v} cannot be aggregated`)
  return bad('value_invalid', `value ${JSON.stringify(v)?.slice(0, 60) ?? 'undefined'} is not a number`)
}

function checkDerived(s: Required<SeriesRef>): Rejection | null {
  if (!s.metric.startsWith(DEPLOYMENT_METRIC_PREFIX)) return null
  const type = s.metric.slice(DEPLOYMENT_METRIC_PREFIX.length)
  if (!DERIVED.has(type)) return bad('derived_metric_invalid', `unknown derived metric type ${type}`)
  if (!s.deployment_id || !s.group) return bad('derived_metric_invalid', `${s.metric} needs deployment_id and group`)
  return null
}

/** Canonical identity of a series: metric, coordinates and labels sorted by name (injective JSON). */
export function canonicalSeries(s: Required<SeriesRef>): string {
  const keys = Object.keys(s.labels)
  // exporters already write labels sorted (prometheus_client does); sort only when needed
  for (let i = 1; i < keys.length; i++) if (keys[i - 1]! > keys[i]!) { keys.sort(); break }
  const parts: (string | null)[] = [s.metric, s.deployment_id, s.instance_id, s.group]
  for (const k of keys) parts.push(k, s.labels[k] ?? '')
  return JSON.stringify(parts)
}

/** The derived metric type of a sample, or null when it is not a deployment signal. */
export function derivedTypeOf(s: Required<SeriesRef>): DeploymentMetricType | null {
  if (!s.metric.startsWith(DEPLOYMENT_METRIC_PREFIX)) return null
  const t = s.metric.slice(DEPLOYMENT_METRIC_PREFIX.length)
  return DERIVED.has(t) ? (t as DeploymentMetricType) : null
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}
