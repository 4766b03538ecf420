import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freshDb, testDbKind } from '../test/db.ts'
import { manualClock } from '../clock.ts'
import { insertCustomer } from '../customers/store.ts'
import type { Db } from '../db/db.ts'
import { ingestBatch, planBatch } from './ingest.ts'
import { batchTotals, countSamples, listQuarantine, MAX_SAMPLE_AGE_MS } from './store.ts'
import { checkRecord, type IngestRecord } from './record.ts'

const clock = manualClock(new Date('2026-03-01T12:00:00Z'))
const now = clock.now().getTime()
let db: Db
let drop: () => Promise<void>
let customerId: string

beforeAll(async () => {
  ({ db, drop } = await freshDb())
  customerId = (await insertCustomer(db, { company_name: 'Telemetry Co', plan: 'pro' })).id
}, 60_000)
afterAll(async () => { await db?.close(); await drop?.() })

const rec = (i: number, over: Partial<IngestRecord> = {}): IngestRecord => ({
  series: { metric: 'vllm:kv_cache_usage_perc', labels: { engine: '0', model_name: 'llama' }, deployment_id: 'dep-1', group: 'stable' },
  ts: now - 60_000 + i * 1000, value: i / 100, ...over,
})

describe(`ingestion on ${testDbKind}`, () => {
  it('stores each good sample once, quarantines the corrupt ones and accounts for every record', async () => {
    const good = Array.from({ length: 40 }, (_, i) => rec(i))
    const corrupt: unknown[] = [
      rec(100, { value: Number.NaN }),
      rec(101, { value: 'NaN' }),
      rec(102, { value: 'abc' as never }),
      rec(103, { ts: 'yesterday' }),
      rec(104, { ts: now + 3_600_000 }),
      rec(105, { ts: now - MAX_SAMPLE_AGE_MS - 1 }),
      { ts: now, value: 1 },
      { series: { metric: 'bad metric', labels: {} }, ts: now, value: 1 },
      { series: { metric: 'ok', labels: { 'bad-label': 'x' } }, ts: now, value: 1 },
      { series: { metric: 'deployment:e2e_p95_ms', labels: {} }, ts: now, value: 1 },
      'not an object',
    ]
    // duplicates: 5 repeats inside the batch, with different values (first wins)
    const dupes = good.slice(0, 5).map((r) => ({ ...r, value: 999 }))
    const first = await ingestBatch(db, customerId, [...good, ...corrupt, ...dupes], { clock })
    expect(first).toMatchObject({ received: 56, stored: 40, duplicates: 5, quarantined: 11 })
    expect(first.received).toBe(first.stored + first.duplicates + first.quarantined)
    expect(first.quarantine_reasons).toEqual({
      value_not_finite: 2, value_invalid: 1, ts_invalid: 1, ts_future: 1, ts_too_old: 1,
      series_invalid: 1, record_not_object: 1, metric_invalid: 1, labels_invalid: 1, derived_metric_invalid: 1,
    })

    // the same records again: all duplicates of stored samples, nothing new stored
    const again = await ingestBatch(db, customerId, good, { clock })
    expect(again).toMatchObject({ received: 40, stored: 0, duplicates: 40, quarantined: 0 })

    expect(await countSamples(db, customerId)).toBe(40)
    const values = await db.query<{ value: number }>(
      `SELECT value FROM telemetry_samples s JOIN telemetry_series ser ON ser.id = s.series_id
       WHERE ser.customer_id = $1 ORDER BY ts LIMIT 5`, [customerId])
    expect(values.map((v) => v.value)).toEqual([0, 0.01, 0.02, 0.03, 0.04])
    expect(await batchTotals(db, customerId)).toEqual({ batches: 2, received: 96, stored: 40, duplicates: 45, quarantined: 11 })
    const q = await listQuarantine(db, customerId)
    expect(q).toHaveLength(11)
    expect(q.find((r) => r.reason === 'value_not_finite')?.record).toContain('NaN')
    expect(q.find((r) => r.reason === 'ts_future')?.detail).toMatch(/ahead of the platform clock/)
  })

  it('keeps series apart by labels and coordinates but not by label order', async () => {
    const base = { metric: 'x_gauge', labels: { a: '1', b: '2' }, deployment_id: 'd', group: 'stable' }
    const r = await ingestBatch(db, customerId, [
      { series: base, ts: now, value: 1 },
      { series: { ...base, labels: { b: '2', a: '1' } }, ts: now, value: 2 },
      { series: { ...base, group: 'canary' }, ts: now, value: 3 },
      { series: { ...base, labels: { a: '1' } }, ts: now, value: 4 },
    ], { clock })
    expect(r).toMatchObject({ stored: 3, duplicates: 1 })
    const series = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM telemetry_series WHERE customer_id = $1 AND metric = 'x_gauge'`, [customerId])
    expect(series[0]!.n).toBe(3)
  })

  it('projects derived deployment signals into deployment_metrics', async () => {
    const r = await ingestBatch(db, customerId, [
      { series: { metric: 'deployment:e2e_p95_ms', labels: {}, deployment_id: 'dep-9', group: 'canary' }, ts: now, value: 812.5 },
      { series: { metric: 'deployment:e2e_p95_ms', labels: {}, deployment_id: 'dep-9', group: 'canary' }, ts: now, value: 1 },
    ], { clock, source: 'runtime' })
    expect(r).toMatchObject({ stored: 1, duplicates: 1 })
    const rows = await db.query<{ value: number; group: string }>(
      `SELECT value, "group" FROM deployment_metrics WHERE customer_id = $1 AND deployment_id = 'dep-9' AND metric_type = 'e2e_p95_ms'`, [customerId])
    expect(rows).toEqual([{ value: 812.5, group: 'canary' }])
  })

  it('gives the same accounting with VALUES lists as with unnest', async () => {
    const other = (await insertCustomer(db, { company_name: 'Values Co', plan: 'pro' })).id
    const records = Array.from({ length: 30 }, (_, i) => rec(i))
    const a = await ingestBatch(db, other, [...records, records[0]], { clock, strategy: 'values' })
    expect(a).toMatchObject({ received: 31, stored: 30, duplicates: 1, quarantined: 0 })
    expect(await countSamples(db, other)).toBe(30)
    expect(await countSamples(db, customerId)).toBeGreaterThanOrEqual(40)
  })

  it('writes nothing when the customer does not exist (one transaction)', async () => {
    await expect(ingestBatch(db, '00000000-0000-4000-8000-000000000000', [rec(1)], { clock })).rejects.toThrow()
    const orphans = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM telemetry_series WHERE customer_id = '00000000-0000-4000-8000-000000000000'`)
    expect(orphans[0]!.n).toBe(0)
  })
})

describe('record rules', () => {
  const bounds = { nowMs: now, maxFutureMs: 600_000, maxAgeMs: MAX_SAMPLE_AGE_MS }
  it('accepts ISO timestamps and epoch milliseconds alike', () => {
    const a = checkRecord(rec(0, { ts: new Date(now).toISOString() }), bounds)
    const b = checkRecord(rec(0, { ts: now }), bounds)
    expect(a.ok && b.ok && a.sample.tsMs === b.sample.tsMs).toBe(true)
  })
  it('rejects loose date strings that Date.parse would accept', () => {
    expect(checkRecord(rec(0, { ts: 'March 1, 2026' }), bounds)).toMatchObject({ ok: false, reason: 'ts_invalid' })
  })
  it('counts in-batch repeats without touching the store', () => {
    const plan = planBatch([rec(1), rec(1), rec(2)], bounds)
    expect(plan.samples).toHaveLength(2)
    expect(plan.inBatchDuplicates).toBe(1)
  })
})
