/**
 * Ingestion use case: one batch of pushed records → checked, deduplicated, stored in one
 * transaction with its accounting. Every record ends up stored, counted as a duplicate (same
 * series and timestamp as a stored sample or an earlier record of the batch: first value wins),
 * or quarantined with a reason. Nothing is dropped silently.
 */
import type { Db } from '../db/db.ts'
import type { Clock } from '../clock.ts'
import { checkRecord, derivedTypeOf, type CheckedSample, type QuarantineReason, type SeriesMemo, type TimeBounds } from './record.ts'
import {
  ensureSeries, insertBatch, insertDeploymentMetrics, insertQuarantine, insertSamples,
  MAX_FUTURE_SKEW_MS, MAX_SAMPLE_AGE_MS,
  type BatchAccounting, type DeploymentMetricRow, type InsertStrategy, type NewSeries, type QuarantineRow,
} from './store.ts'

/** How a batch is ingested. */
export interface IngestOptions {
  clock: Clock
  /** Who sent it (e.g. `runtime`, `generator`); kept on the batch row. */
  source?: string
  strategy?: InsertStrategy
}

/** The accounting returned to the sender (and persisted in `telemetry_batches`). */
export interface IngestResult extends BatchAccounting {
  batch_id: string
  quarantine_reasons: Partial<Record<QuarantineReason, number>>
}

/** The pure outcome of checking a batch, before any write. */
export interface BatchPlan {
  samples: CheckedSample[]
  inBatchDuplicates: number
  quarantine: QuarantineRow[]
}

// Quarantined records are kept for inspection, not as a second copy of arbitrarily large input.
const MAX_RECORD_TEXT = 4096

/** Checks every record and drops in-batch repeats of (series, ts); pure. */
export function planBatch(records: readonly unknown[], bounds: TimeBounds): BatchPlan {
  const samples: CheckedSample[] = []
  const quarantine: QuarantineRow[] = []
  const memo: SeriesMemo = new Map()
  // timestamps seen per series: a string key per record would cost more than the check itself
  const seen = new Map<string, Set<number>>()
  let inBatchDuplicates = 0
  for (const raw of records) {
    const c = checkRecord(raw, bounds, memo)
    if (!c.ok) { quarantine.push({ reason: c.reason, detail: c.detail, record: recordText(raw) }); continue }
    let ts = seen.get(c.sample.canon)
    if (ts === undefined) { ts = new Set(); seen.set(c.sample.canon, ts) }
    if (ts.has(c.sample.tsMs)) { inBatchDuplicates++; continue }
    ts.add(c.sample.tsMs)
    samples.push(c.sample)
  }
  return { samples, inBatchDuplicates, quarantine }
}

/**
 * Ingests one batch for a customer in one transaction and returns its accounting
 * (received = stored + duplicates + quarantined). Bad records never fail the batch.
 */
export async function ingestBatch(db: Db, customerId: string, records: readonly unknown[], opts: IngestOptions): Promise<IngestResult> {
  const at = opts.clock.now()
  const plan = planBatch(records, { nowMs: at.getTime(), maxFutureMs: MAX_FUTURE_SKEW_MS, maxAgeMs: MAX_SAMPLE_AGE_MS })
  const cache = seriesCache(db)
  const { result, learned } = await retryTransient(() => db.tx(async (tx) => {
    const ids = await resolveSeriesIds(tx, customerId, plan.samples, cache, at)
    const stored = await insertSamples(tx, sampleColumns(plan.samples, ids), opts.strategy)
    await insertDeploymentMetrics(tx, customerId, derivedRows(plan.samples))
    const accounting = {
      received: records.length, stored, quarantined: plan.quarantine.length,
      duplicates: plan.inBatchDuplicates + (plan.samples.length - stored),
    }
    const [minTsMs, maxTsMs] = tsRange(plan.samples)
    const batchId = await insertBatch(tx, customerId, { ...accounting, source: opts.source ?? 'api', minTsMs, maxTsMs }, at)
    await insertQuarantine(tx, customerId, batchId, plan.quarantine, at)
    return { result: { batch_id: batchId, ...accounting, quarantine_reasons: countReasons(plan.quarantine) }, learned: ids }
  }))
  // Only ids of a committed transaction may be cached: a rolled-back series insert has no row.
  for (const [canon, id] of learned) cache.set(cacheKey(customerId, canon), id)
  return result
}

// PostgreSQL may abort one of two transactions that wait on each other (deadlock, serialization);
// the batch is all-or-nothing, so running it again is safe. Anything else is a real failure.
const TRANSIENT = new Set(['40P01', '40001'])
const MAX_ATTEMPTS = 3

async function retryTransient<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn()
    } catch (err) {
      if (attempt >= MAX_ATTEMPTS || !TRANSIENT.has((err as { code?: string }).code ?? '')) throw err
    }
  }
}

// Series ids never change once committed (series rows are only removed with their customer), so
// a per-store map saves the lookup on every batch. Keyed by the Db handle: no global state shared
// between platforms in one process.
const caches = new WeakMap<Db, Map<string, number>>()
const MAX_CACHED_SERIES = 200_000

function seriesCache(db: Db): Map<string, number> {
  let c = caches.get(db)
  if (!c) { c = new Map(); caches.set(db, c) }
  if (c.size > MAX_CACHED_SERIES) c.clear()
  return c
}

const cacheKey = (customerId: string, canon: string) => `${customerId}\u0000${canon}`

async function resolveSeriesIds(tx: Db, customerId: string, samples: CheckedSample[], cache: Map<string, number>, at: Date): Promise<Map<string, number>> {
  const ids = new Map<string, number>()
  const missing = new Map<string, NewSeries>()
  for (const s of samples) {
    if (ids.has(s.canon) || missing.has(s.canon)) continue
    const hit = cache.get(cacheKey(customerId, s.canon))
    if (hit !== undefined) ids.set(s.canon, hit)
    else missing.set(s.canon, { canon: s.canon, series: s.series })
  }
  if (missing.size) for (const [canon, id] of await ensureSeries(tx, customerId, [...missing.values()], at)) ids.set(canon, id)
  return ids
}

// Rows go in (series_id, ts) order: concurrent batches then take unique-index locks in the same
// order and cannot deadlock on shared keys (a resend racing its original), and the B-tree is
// written in key order.
function sampleColumns(samples: CheckedSample[], ids: Map<string, number>) {
  const n = samples.length
  const order = new Array<number>(n)
  const sid = new Float64Array(n)
  for (let i = 0; i < n; i++) { order[i] = i; sid[i] = ids.get(samples[i]!.canon)! }
  order.sort((a, b) => sid[a]! - sid[b]! || samples[a]!.tsMs - samples[b]!.tsMs)
  const cols = { seriesIds: new Array<number>(n), tsMs: new Array<number>(n), values: new Array<number>(n) }
  for (let k = 0; k < n; k++) {
    const i = order[k]!
    cols.seriesIds[k] = sid[i]!
    cols.tsMs[k] = samples[i]!.tsMs
    cols.values[k] = samples[i]!.value
  }
  return cols
}

function derivedRows(samples: CheckedSample[]): DeploymentMetricRow[] {
  const rows: DeploymentMetricRow[] = []
  for (const s of samples) {
    const type = derivedTypeOf(s.series)
    if (type && s.series.deployment_id && s.series.group) {
      rows.push({ deploymentId: s.series.deployment_id, group: s.series.group, metricType: type, tsMs: s.tsMs, value: s.value })
    }
  }
  // primary-key order, for the same deadlock-free locking as samples
  return rows.sort((a, b) => cmp(a.deploymentId, b.deploymentId) || cmp(a.group, b.group) || cmp(a.metricType, b.metricType) || a.tsMs - b.tsMs)
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

function tsRange(samples: CheckedSample[]): [number | null, number | null] {
  if (!samples.length) return [null, null]
  let min = Infinity
  let max = -Infinity
  for (const s of samples) { if (s.tsMs < min) min = s.tsMs; if (s.tsMs > max) max = s.tsMs }
  return [min, max]
}

function countReasons(rows: QuarantineRow[]): Partial<Record<QuarantineReason, number>> {
  const out: Partial<Record<QuarantineReason, number>> = {}
  for (const r of rows) out[r.reason] = (out[r.reason] ?? 0) + 1
  return out
}

// JSON cannot spell NaN/Infinity/undefined; keep them readable instead of turning them into null.
function recordText(raw: unknown): string {
  let text: string
  try {
    text = JSON.stringify(raw, (_k, v: unknown) =>
      typeof v === 'number' && !Number.isFinite(v) ? String(v) : v === undefined ? '(undefined)' : typeof v === 'bigint' ? String(v) : v) ?? String(raw)
  } catch {
    text = String(raw)
  }
  return text.length > MAX_RECORD_TEXT ? `${text.slice(0, MAX_RECORD_TEXT)}…` : text
}
