import { Type, type Static } from '@sinclair/typebox'

/** GET /customers/{id}/metrics query string (values are validated by the route for clear messages). */
export const MetricsQuery = Type.Object({
  metric_type: Type.String({ minLength: 1, maxLength: 64 }),
  start_time: Type.Optional(Type.String({ maxLength: 64 })),
  end_time: Type.Optional(Type.String({ maxLength: 64 })),
  /** Bucket width: seconds or a duration (`30s`, `5m`, `1h`); raised so the answer keeps ≤ 500 points. */
  step: Type.Optional(Type.String({ maxLength: 16 })),
  deployment_id: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  /** One serving group of the deployment signals (canary vs stable); other metrics have no groups and refuse it. */
  group: Type.Optional(Type.Union([Type.Literal('stable'), Type.Literal('canary')])),
}, { additionalProperties: false })
export type MetricsQuery = Static<typeof MetricsQuery>

/** One point of a metrics series: bucket start and value; quality points also carry `score` and prompts `n`. */
export const MetricPoint = Type.Object({
  timestamp: Type.String(),
  value: Type.Number(),
  score: Type.Optional(Type.Number()),
  n: Type.Optional(Type.Integer()),
})
export type MetricPoint = Static<typeof MetricPoint>
export const MetricPoints = Type.Array(MetricPoint)

/** Most records one ingestion batch may carry. */
export const MAX_INGEST_RECORDS = 20_000

/**
 * POST /telemetry/ingest. Records are deliberately untyped here: a malformed record must be
 * quarantined and counted, not fail the whole batch at schema validation.
 */
export const IngestBody = Type.Object({
  records: Type.Array(Type.Unknown(), { maxItems: MAX_INGEST_RECORDS }),
}, { additionalProperties: false })
export type IngestBody = Static<typeof IngestBody>

/** Per-batch accounting: received = stored + duplicates + quarantined. */
export const IngestReply = Type.Object({
  batch_id: Type.String(),
  received: Type.Integer(),
  stored: Type.Integer(),
  duplicates: Type.Integer(),
  quarantined: Type.Integer(),
  quarantine_reasons: Type.Record(Type.String(), Type.Integer()),
})
export type IngestReply = Static<typeof IngestReply>

/** A scrape target handed to an agent runtime. `url` may be relative to the platform URL. */
export const ScrapeTarget = Type.Object({
  kind: Type.Union([Type.Literal('vllm'), Type.Literal('dcgm')]),
  url: Type.String(),
  deployment_id: Type.String(),
  group: Type.Union([Type.Literal('stable'), Type.Literal('canary')]),
  instance_id: Type.Optional(Type.String()),
})
export type ScrapeTarget = Static<typeof ScrapeTarget>

/** GET /agent-runtime/targets: what to scrape, plus the platform clock so runtimes stamp samples in its time. */
export const TargetsReply = Type.Object({
  customer_id: Type.String(),
  server_time: Type.String(),
  time_scale: Type.Number(),
  scrape_interval_seconds: Type.Number(),
  targets: Type.Array(ScrapeTarget),
})
export type TargetsReply = Static<typeof TargetsReply>

/** GET /customers/{id}/telemetry/batches: recent ingestion accounting. */
export const BatchRow = Type.Object({
  id: Type.String(), source: Type.String(), received: Type.Integer(), stored: Type.Integer(),
  duplicates: Type.Integer(), quarantined: Type.Integer(), received_at: Type.String(),
})
export const BatchList = Type.Object({
  totals: Type.Object({ batches: Type.Integer(), received: Type.Integer(), stored: Type.Integer(), duplicates: Type.Integer(), quarantined: Type.Integer() }),
  batches: Type.Array(BatchRow),
})
