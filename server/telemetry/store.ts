/**
 * SQL of the telemetry store: series, raw samples, derived deployment metrics, quarantine,
 * per-batch accounting and quality scores. Bulk writes pass column arrays to `unnest` (one
 * statement per chunk, whatever the batch size); `values` lists are kept for the benchmark.
 */
import { createHash } from 'node:crypto'
import type { Db } from '../db/db.ts'
import type { QuarantineReason, SeriesRef } from './record.ts'

/**
 * Retention windows (clock time). Raw keeps 48 h: it covers the metrics API's default 24 h window
 * and any canary bake with margin. 1-minute rollups keep 14 days: two weekly cycles for agents'
 * baselines. 1-hour rollups keep 400 days: a year of monthly views plus a month. Derived
 * deployment metrics keep 35 days: a billing month of dashboards plus margin. Quarantine keeps
 * 14 days for inspection; batch accounting 35 days, like the metrics it accounts for.
 */
export const RETENTION_MS = {
  raw: 48 * 3_600_000,
  rollup1m: 14 * 86_400_000,
  rollup1h: 400 * 86_400_000,
  deploymentMetrics: 35 * 86_400_000,
  quarantine: 14 * 86_400_000,
  batches: 35 * 86_400_000,
} as const

/**
 * Samples older than this are quarantined (`ts_too_old`): one hour less than raw retention, so a
 * minute's raw samples are still all present when the hourly-or-faster rollup job folds a late one in.
 */
export const MAX_SAMPLE_AGE_MS = RETENTION_MS.raw - 3_600_000
/** Samples further ahead of the platform clock than this are quarantined (`ts_future`): clock skew budget. */
export const MAX_FUTURE_SKEW_MS = 10 * 60_000

/** Rows per bulk statement: bounds statement memory; measured flat above ~5k rows (bench/ingest). */
export const CHUNK_ROWS = 10_000

/** How bulk rows reach PostgreSQL: column arrays through `unnest`, or a `VALUES` list. */
export type InsertStrategy = 'unnest' | 'values'

/** A series not yet known to the store, with its canonical identity. */
export interface NewSeries { canon: string; series: Required<SeriesRef> }

/** SHA-256 of the canonical series: fixed-length unique key whatever the label sizes. */
export function seriesKey(canon: string): string {
  return createHash('sha256').update(canon).digest('hex')
}

/** Creates missing series and returns canon → id for every given series. */
export async function ensureSeries(tx: Db, customerId: string, list: NewSeries[], at: Date): Promise<Map<string, number>> {
  const ids = new Map<string, number>()
  // key order: concurrent batches creating the same series lock them in the same order
  const sorted = list.map((s) => ({ ...s, key: seriesKey(s.canon) })).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
  for (let i = 0; i < sorted.length; i += CHUNK_ROWS) {
    const chunk = sorted.slice(i, i + CHUNK_ROWS)
    const keys = chunk.map((s) => s.key)
    await tx.query(
      `INSERT INTO telemetry_series (customer_id, key, metric, labels, deployment_id, instance_id, "group", created_at)
       SELECT $1, k, m, l::jsonb, d, i, g, $8
       FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[]) AS u(k, m, l, d, i, g)
       ON CONFLICT (customer_id, key) DO NOTHING`,
      [customerId, keys, chunk.map((s) => s.series.metric), chunk.map((s) => JSON.stringify(s.series.labels)),
        chunk.map((s) => s.series.deployment_id), chunk.map((s) => s.series.instance_id), chunk.map((s) => s.series.group), at])
    const rows = await tx.query<{ id: number; key: string }>(
      'SELECT id, key FROM telemetry_series WHERE customer_id = $1 AND key = ANY($2::text[])', [customerId, keys])
    const byKey = new Map(rows.map((r) => [r.key, Number(r.id)]))
    chunk.forEach((s, j) => ids.set(s.canon, byKey.get(keys[j]!)!))
  }
  return ids
}

/** Column arrays of samples to insert (parallel arrays; timestamps as epoch ms). */
export interface SampleColumns { seriesIds: number[]; tsMs: number[]; values: number[] }

/** Inserts samples, skipping any (series, ts) already stored; returns how many were new. */
export async function insertSamples(tx: Db, cols: SampleColumns, strategy: InsertStrategy = 'unnest'): Promise<number> {
  let stored = 0
  for (let i = 0; i < cols.seriesIds.length; i += CHUNK_ROWS) {
    const end = Math.min(i + CHUNK_ROWS, cols.seriesIds.length)
    const ids = cols.seriesIds.slice(i, end)
    const ts = cols.tsMs.slice(i, end)
    const vs = cols.values.slice(i, end)
    stored += strategy === 'unnest' ? await insertUnnest(tx, ids, ts, vs) : await insertValues(tx, ids, ts, vs)
  }
  return stored
}

async function insertUnnest(tx: Db, ids: number[], ts: number[], vs: number[]): Promise<number> {
  const rows = await tx.query<{ n: number }>(
    `WITH ins AS (
       INSERT INTO telemetry_samples (series_id, ts, value)
       SELECT s, to_timestamp(t / 1000.0), v FROM unnest($1::bigint[], $2::float8[], $3::float8[]) AS u(s, t, v)
       ON CONFLICT DO NOTHING RETURNING 1)
     SELECT count(*)::int AS n FROM ins`, [ids, ts, vs])
  return rows[0]?.n ?? 0
}

// 3 parameters per row: PostgreSQL allows 65535 per statement, so VALUES chunks stay under 20k rows.
const VALUES_ROWS = 5_000

async function insertValues(tx: Db, ids: number[], ts: number[], vs: number[]): Promise<number> {
  let stored = 0
  for (let i = 0; i < ids.length; i += VALUES_ROWS) {
    const end = Math.min(i + VALUES_ROWS, ids.length)
    const params: unknown[] = []
    const tuples: string[] = []
    for (let j = i; j < end; j++) {
      const p = params.length
      tuples.push(`($${p + 1}::bigint, to_timestamp($${p + 2}::float8 / 1000.0), $${p + 3}::float8)`)
      params.push(ids[j], ts[j], vs[j])
    }
    const rows = await tx.query<{ n: number }>(
      `WITH ins AS (INSERT INTO telemetry_samples (series_id, ts, value) VALUES ${tuples.join(',')}
       ON CONFLICT DO NOTHING RETURNING 1) SELECT count(*)::int AS n FROM ins`, params)
    stored += rows[0]?.n ?? 0
  }
  return stored
}

/** One derived signal value of a deployment group. */
export interface DeploymentMetricRow { deploymentId: string; group: string; metricType: string; tsMs: number; value: number }

/** Writes derived deployment signals; a repeat of the same (deployment, group, type, ts) is kept once. */
export async function insertDeploymentMetrics(tx: Db, customerId: string, rows: DeploymentMetricRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK_ROWS) {
    const c = rows.slice(i, i + CHUNK_ROWS)
    await tx.query(
      `INSERT INTO deployment_metrics (customer_id, deployment_id, "group", metric_type, ts, value)
       SELECT $1, d, g, m, to_timestamp(t / 1000.0), v
       FROM unnest($2::text[], $3::text[], $4::text[], $5::float8[], $6::float8[]) AS u(d, g, m, t, v)
       ON CONFLICT DO NOTHING`,
      [customerId, c.map((r) => r.deploymentId), c.map((r) => r.group), c.map((r) => r.metricType), c.map((r) => r.tsMs), c.map((r) => r.value)])
  }
}

/** A record that failed validation, kept with its reason. */
export interface QuarantineRow { reason: QuarantineReason; detail: string; record: string }

/** Stores quarantined records with their reason. */
export async function insertQuarantine(tx: Db, customerId: string, batchId: string, rows: QuarantineRow[], at: Date): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK_ROWS) {
    const c = rows.slice(i, i + CHUNK_ROWS)
    await tx.query(
      `INSERT INTO telemetry_quarantine (customer_id, batch_id, reason, detail, record, received_at)
       SELECT $1, $2, r, d, x, $6 FROM unnest($3::text[], $4::text[], $5::text[]) AS u(r, d, x)`,
      [customerId, batchId, c.map((r) => r.reason), c.map((r) => r.detail), c.map((r) => r.record), at])
  }
}

/** What happened to every record of one batch: received = stored + duplicates + quarantined. */
export interface BatchAccounting { received: number; stored: number; duplicates: number; quarantined: number }

/** Persists a batch's accounting (the table's CHECK enforces the identity) and returns its id. */
export async function insertBatch(tx: Db, customerId: string, a: BatchAccounting & { source: string; minTsMs: number | null; maxTsMs: number | null }, at: Date): Promise<string> {
  const rows = await tx.query<{ id: string }>(
    `INSERT INTO telemetry_batches (customer_id, source, received, stored, duplicates, quarantined, min_ts, max_ts, received_at)
     VALUES ($1, $2, $3, $4, $5, $6, to_timestamp($7::float8 / 1000.0), to_timestamp($8::float8 / 1000.0), $9) RETURNING id`,
    [customerId, a.source, a.received, a.stored, a.duplicates, a.quarantined, a.minTsMs, a.maxTsMs, at])
  return rows[0]!.id
}

/** Totals over a customer's batches (for tests, benchmarks and the ingestion integrity check). */
export async function batchTotals(db: Db, customerId: string): Promise<BatchAccounting & { batches: number }> {
  const rows = await db.query<BatchAccounting & { batches: number }>(
    `SELECT count(*)::int AS batches, coalesce(sum(received), 0)::int AS received, coalesce(sum(stored), 0)::int AS stored,
       coalesce(sum(duplicates), 0)::int AS duplicates, coalesce(sum(quarantined), 0)::int AS quarantined
     FROM telemetry_batches WHERE customer_id = $1`, [customerId])
  return rows[0]!
}

/** Raw samples stored for a customer (integrity checks). */
export async function countSamples(db: Db, customerId: string): Promise<number> {
  const rows = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM telemetry_samples s JOIN telemetry_series ser ON ser.id = s.series_id WHERE ser.customer_id = $1`, [customerId])
  return rows[0]?.n ?? 0
}

/** Quarantined records of a customer, newest first. */
export async function listQuarantine(db: Db, customerId: string, limit = 100) {
  return db.query<{ reason: QuarantineReason; detail: string; record: string; batch_id: string }>(
    'SELECT reason, detail, record, batch_id FROM telemetry_quarantine WHERE customer_id = $1 ORDER BY id DESC LIMIT $2', [customerId, limit])
}

/** One evaluation result of the application agent: share of prompts answered correctly. */
export interface QualityScoreInput { customerId: string; deploymentId: string; group?: 'stable' | 'canary'; at: Date; score: number; n: number }

/**
 * Records an answer-quality score (0..1 over `n` prompts) so `quality_score` metrics and the
 * dashboard can show it; the application agent calls this after each evaluation run.
 */
export async function recordQualityScore(db: Db, q: QualityScoreInput): Promise<void> {
  if (!(q.score >= 0 && q.score <= 1) || !Number.isInteger(q.n) || q.n <= 0) {
    throw new RangeError(`quality score must be in [0, 1] over n > 0 prompts, got ${q.score} over ${q.n}`)
  }
  await db.query(
    'INSERT INTO quality_scores (customer_id, deployment_id, "group", ts, score, n) VALUES ($1, $2, $3, $4, $5, $6)',
    [q.customerId, q.deploymentId, q.group ?? 'stable', q.at, q.score, q.n])
}


/** A customer's most recent batches with their accounting, newest first. */
export async function listBatches(db: Db, customerId: string, limit = 50) {
  const rows = await db.query<{ id: string; source: string; received: number; stored: number; duplicates: number; quarantined: number; received_at: Date }>(
    `SELECT id, source, received, stored, duplicates, quarantined, received_at FROM telemetry_batches
     WHERE customer_id = $1 ORDER BY received_at DESC, id LIMIT $2`, [customerId, limit])
  return rows.map((r) => ({ ...r, received_at: new Date(r.received_at).toISOString() }))
}
