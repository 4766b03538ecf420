import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freshDb, testDbKind } from '../test/db.ts'
import { manualClock } from '../clock.ts'
import { insertCustomer } from '../customers/store.ts'
import type { Db } from '../db/db.ts'
import { ingestBatch } from './ingest.ts'
import { foldRanges, rollup } from './rollup.ts'
import { RETENTION_MS } from './store.ts'

const T0 = Date.parse('2026-03-01T10:00:00Z')
const clock = manualClock(new Date(T0 + 3 * 3_600_000))
let db: Db
let drop: () => Promise<void>
let customerId: string

beforeAll(async () => {
  ({ db, drop } = await freshDb())
  customerId = (await insertCustomer(db, { company_name: 'Rollup Co', plan: 'pro' })).id
}, 60_000)
afterAll(async () => { await db?.close(); await drop?.() })

const series = { metric: 'DCGM_FI_DEV_GPU_UTIL', labels: { gpu: '0' }, instance_id: 'i-1' }
const at = (ms: number, value: number) => ({ series, ts: ms, value })

type Bucket = { bucket: Date; n: number; sum: number; min: number; max: number; last: number }
const buckets = (table: string) => db.query<Bucket>(`SELECT bucket, n, sum, min, max, last FROM ${table} ORDER BY bucket`)

describe(`rollups and retention on ${testDbKind}`, () => {
  it('folds raw samples into 1-minute and 1-hour buckets (count, sum, min, max, last)', async () => {
    // Fixture (value at offset): minute 10:00 → 10@0s 30@20s 20@40s; minute 10:01 → 50@0s; 11:00 → 5@0s
    await ingestBatch(db, customerId, [at(T0, 10), at(T0 + 20_000, 30), at(T0 + 40_000, 20), at(T0 + 60_000, 50), at(T0 + 3_600_000, 5)], { clock })
    const report = await rollup(db, clock)
    expect(report).toMatchObject({ batches: 1, ranges: 1, minuteBuckets: 3, hourBuckets: 2 })
    const m = await buckets('telemetry_rollup_1m')
    expect(m.map((b) => [new Date(b.bucket).toISOString(), b.n, b.sum, b.min, b.max, b.last])).toEqual([
      ['2026-03-01T10:00:00.000Z', 3, 60, 10, 30, 20],
      ['2026-03-01T10:01:00.000Z', 1, 50, 50, 50, 50],
      ['2026-03-01T11:00:00.000Z', 1, 5, 5, 5, 5],
    ])
    const h = await buckets('telemetry_rollup_1h')
    expect(h.map((b) => [new Date(b.bucket).toISOString(), b.n, b.sum, b.min, b.max, b.last])).toEqual([
      ['2026-03-01T10:00:00.000Z', 4, 110, 10, 50, 50],
      ['2026-03-01T11:00:00.000Z', 1, 5, 5, 5, 5],
    ])
  })

  it('re-folds exactly the buckets a late sample touches, and reruns are idempotent', async () => {
    await ingestBatch(db, customerId, [at(T0 + 50_000, 100)], { clock })
    const report = await rollup(db, clock)
    expect(report).toMatchObject({ batches: 1, minuteBuckets: 1, hourBuckets: 1 })
    const m = await buckets('telemetry_rollup_1m')
    expect(m[0]).toMatchObject({ n: 4, sum: 160, max: 100, last: 100 })
    expect((await buckets('telemetry_rollup_1h'))[0]).toMatchObject({ n: 5, sum: 210, max: 100 })
    expect(await rollup(db, clock)).toMatchObject({ batches: 0, minuteBuckets: 0 })
    expect((await buckets('telemetry_rollup_1h'))[0]).toMatchObject({ n: 5, sum: 210 })
  })

  it('deletes raw after its window but keeps the rollups, then ages out 1-minute rollups', async () => {
    clock.set(new Date(T0 + RETENTION_MS.raw + 2 * 3_600_000))
    const r1 = await rollup(db, clock)
    expect(r1.deleted.raw).toBe(6)
    expect(r1.deleted.rollup1m).toBe(0)
    expect((await buckets('telemetry_rollup_1m')).length).toBe(3)
    clock.set(new Date(T0 + RETENTION_MS.rollup1m + 2 * 3_600_000))
    const r2 = await rollup(db, clock)
    expect(r2.deleted.rollup1m).toBe(3)
    expect((await buckets('telemetry_rollup_1h')).length).toBe(2)
  })
})

describe('fold ranges', () => {
  it('merges overlapping batches per customer into minute-aligned ranges', () => {
    const d = (s: string) => new Date(`2026-03-01T${s}Z`)
    const r = foldRanges([
      { customer_id: 'a', min_ts: d('10:00:30'), max_ts: d('10:02:10') },
      { customer_id: 'a', min_ts: d('10:02:50'), max_ts: d('10:03:00') },
      { customer_id: 'a', min_ts: d('11:00:00'), max_ts: d('11:00:00') },
      { customer_id: 'b', min_ts: d('10:00:00'), max_ts: d('10:00:59') },
      { customer_id: 'b', min_ts: null, max_ts: null },
    ])
    const iso = (ms: number) => new Date(ms).toISOString().slice(11, 16)
    expect(r.map((x) => [x.customerId, iso(x.startMs), iso(x.endMs)])).toEqual([
      ['a', '10:00', '10:04'], ['a', '11:00', '11:01'], ['b', '10:00', '10:01'],
    ])
  })
})
