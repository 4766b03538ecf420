/**
 * Downsampling and retention job: raw samples → 1-minute → 1-hour rollups, then old rows are
 * deleted per RETENTION_MS. Run periodically by the runtime service (any replica; a PostgreSQL
 * advisory lock keeps two replicas from folding the same batches at once).
 *
 * Which minutes to (re)compute comes from the batches not yet rolled up: each batch row bounds the
 * timestamps it stored, so late samples re-fold exactly the minutes and hours they touch. A
 * bucket is always recomputed from the finer level in full (never incremented), which makes
 * reruns idempotent.
 */
import type { Db } from '../db/db.ts'
import type { Clock } from '../clock.ts'
import { RETENTION_MS } from './store.ts'

const MINUTE = 60_000
const HOUR = 3_600_000
const ROLLUP_LOCK = 7264003

/** A customer's time range whose buckets must be recomputed, `[startMs, endMs)`. */
export interface FoldRange { customerId: string; startMs: number; endMs: number }

/** What one run did. */
export interface RollupReport {
  batches: number
  ranges: number
  minuteBuckets: number
  hourBuckets: number
  deleted: Record<'raw' | 'rollup1m' | 'rollup1h' | 'deploymentMetrics' | 'quarantine' | 'batches', number>
}

/** Merges pending batch time bounds into minute-aligned, non-overlapping ranges per customer; pure. */
export function foldRanges(batches: { customer_id: string; min_ts: Date | null; max_ts: Date | null }[]): FoldRange[] {
  const byCustomer = new Map<string, FoldRange[]>()
  for (const b of batches) {
    if (!b.min_ts || !b.max_ts) continue
    const r = { customerId: b.customer_id, startMs: floor(b.min_ts.getTime(), MINUTE), endMs: floor(b.max_ts.getTime(), MINUTE) + MINUTE }
    const list = byCustomer.get(r.customerId) ?? []
    list.push(r)
    byCustomer.set(r.customerId, list)
  }
  const out: FoldRange[] = []
  for (const list of byCustomer.values()) {
    list.sort((a, b) => a.startMs - b.startMs)
    let cur = list[0]!
    for (const r of list.slice(1)) {
      if (r.startMs <= cur.endMs) cur = { ...cur, endMs: Math.max(cur.endMs, r.endMs) }
      else { out.push(cur); cur = r }
    }
    out.push(cur)
  }
  return out
}

/** Folds every pending batch into the rollups, then applies retention; returns what it did. */
export async function rollup(db: Db, clock: Clock): Promise<RollupReport> {
  const folded = await db.tx(async (tx) => {
    if (tx.kind === 'pg') await tx.query('SELECT pg_advisory_xact_lock($1)', [ROLLUP_LOCK])
    const pending = await tx.query<{ customer_id: string; min_ts: Date | null; max_ts: Date | null }>(
      'UPDATE telemetry_batches SET rolled_up = true WHERE NOT rolled_up RETURNING customer_id, min_ts, max_ts')
    const ranges = foldRanges(pending.map((p) => ({ ...p, min_ts: toDate(p.min_ts), max_ts: toDate(p.max_ts) })))
    let minuteBuckets = 0
    let hourBuckets = 0
    for (const r of ranges) {
      minuteBuckets += await foldMinutes(tx, r)
      hourBuckets += await foldHours(tx, { ...r, startMs: floor(r.startMs, HOUR), endMs: floor(r.endMs - 1, HOUR) + HOUR })
    }
    return { batches: pending.length, ranges: ranges.length, minuteBuckets, hourBuckets }
  })
  return { ...folded, deleted: await applyRetention(db, clock.now().getTime()) }
}

async function foldMinutes(tx: Db, r: FoldRange): Promise<number> {
  const rows = await tx.query<{ n: number }>(
    `WITH agg AS (
       SELECT s.series_id, date_trunc('minute', s.ts, 'UTC') AS bucket, count(*)::int AS n,
         sum(s.value) AS sum, min(s.value) AS min, max(s.value) AS max, (array_agg(s.value ORDER BY s.ts DESC))[1] AS last
       FROM telemetry_samples s JOIN telemetry_series ser ON ser.id = s.series_id
       WHERE ser.customer_id = $1 AND s.ts >= to_timestamp($2::float8 / 1000.0) AND s.ts < to_timestamp($3::float8 / 1000.0)
       GROUP BY 1, 2),
     up AS (
       INSERT INTO telemetry_rollup_1m (series_id, bucket, n, sum, min, max, last) SELECT * FROM agg
       ON CONFLICT (series_id, bucket) DO UPDATE SET n = EXCLUDED.n, sum = EXCLUDED.sum, min = EXCLUDED.min, max = EXCLUDED.max, last = EXCLUDED.last
       RETURNING 1)
     SELECT count(*)::int AS n FROM up`, [r.customerId, r.startMs, r.endMs])
  return rows[0]?.n ?? 0
}

async function foldHours(tx: Db, r: FoldRange): Promise<number> {
  const rows = await tx.query<{ n: number }>(
    `WITH agg AS (
       SELECT m.series_id, date_trunc('hour', m.bucket, 'UTC') AS bucket, sum(m.n)::int AS n,
         sum(m.sum) AS sum, min(m.min) AS min, max(m.max) AS max, (array_agg(m.last ORDER BY m.bucket DESC))[1] AS last
       FROM telemetry_rollup_1m m JOIN telemetry_series ser ON ser.id = m.series_id
       WHERE ser.customer_id = $1 AND m.bucket >= to_timestamp($2::float8 / 1000.0) AND m.bucket < to_timestamp($3::float8 / 1000.0)
       GROUP BY 1, 2),
     up AS (
       INSERT INTO telemetry_rollup_1h (series_id, bucket, n, sum, min, max, last) SELECT * FROM agg
       ON CONFLICT (series_id, bucket) DO UPDATE SET n = EXCLUDED.n, sum = EXCLUDED.sum, min = EXCLUDED.min, max = EXCLUDED.max, last = EXCLUDED.last
       RETURNING 1)
     SELECT count(*)::int AS n FROM up`, [r.customerId, r.startMs, r.endMs])
  return rows[0]?.n ?? 0
}

// Each table is cut at its own window; rollups were folded above, so raw rows removed here are
// already summarized. Batches are only removed once rolled up.
const RETENTION_SQL: [keyof RollupReport['deleted'], string, number][] = [
  ['raw', 'DELETE FROM telemetry_samples WHERE ts < $1', RETENTION_MS.raw],
  ['rollup1m', 'DELETE FROM telemetry_rollup_1m WHERE bucket < $1', RETENTION_MS.rollup1m],
  ['rollup1h', 'DELETE FROM telemetry_rollup_1h WHERE bucket < $1', RETENTION_MS.rollup1h],
  ['deploymentMetrics', 'DELETE FROM deployment_metrics WHERE ts < $1', RETENTION_MS.deploymentMetrics],
  ['quarantine', 'DELETE FROM telemetry_quarantine WHERE received_at < $1', RETENTION_MS.quarantine],
  ['batches', 'DELETE FROM telemetry_batches WHERE received_at < $1 AND rolled_up', RETENTION_MS.batches],
]

async function applyRetention(db: Db, nowMs: number): Promise<RollupReport['deleted']> {
  const deleted = { raw: 0, rollup1m: 0, rollup1h: 0, deploymentMetrics: 0, quarantine: 0, batches: 0 }
  for (const [name, sql, keepMs] of RETENTION_SQL) {
    const rows = await db.query<{ n: number }>(`WITH d AS (${sql} RETURNING 1) SELECT count(*)::int AS n FROM d`, [new Date(nowMs - keepMs)])
    deleted[name] = rows[0]?.n ?? 0
  }
  return deleted
}

function floor(ms: number, unit: number): number {
  return Math.floor(ms / unit) * unit
}

function toDate(v: Date | string | null): Date | null {
  return v === null ? null : v instanceof Date ? v : new Date(v)
}
