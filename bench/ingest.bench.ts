/**
 * Ingestion end to end into PGlite and PostgreSQL (seed 003 targets: 500K records/s, 0% loss,
 * 100% dedup). Each run ingests N generated records of which 5% are duplicates and 1% corrupt,
 * then checks the store: stored = unique good records, every duplicate detected, every corrupt
 * record quarantined. Measured three ways: the store path with `unnest` arrays, the same with
 * `VALUES` lists, and over HTTP (JSON body → POST /telemetry/ingest with a runtime token).
 */
import pg from 'pg'
import { randomBytes } from 'node:crypto'
import pino from 'pino'
import { openDb } from '../server/db/open.ts'
import { migrate } from '../server/db/migrate.ts'
import type { Db } from '../server/db/db.ts'
import { manualClock } from '../server/clock.ts'
import { configFromEnv } from '../server/config.ts'
import { startPlatform } from '../server/platform.ts'
import { insertCustomer } from '../server/customers/store.ts'
import { ingestBatch } from '../server/telemetry/ingest.ts'
import { batchTotals, countSamples, type InsertStrategy } from '../server/telemetry/store.ts'
import { WorkloadGenerator } from '../server/generator/generator.ts'
import { withDefects, type DefectiveStream } from '../server/generator/corrupt.ts'
import { createRuntimeToken } from '../server/runtime/token.ts'
import { PlatformClient, INGEST_CHUNK } from '../server/runtime/client.ts'
import { timed, type BenchResult } from './bench.ts'

const PG_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/optiinfra_test'
const TARGET = 500_000
const BATCH = INGEST_CHUNK
// Sizes keep the whole `npm run bench` near 2 minutes on 2 shared cores; rates are flat beyond ~50k.
const SIZES = { pglite: 120_000, pg: 240_000, http: 60_000, values: 40_000 }

interface Store { name: 'PGlite' | 'PostgreSQL'; db: Db; close(): Promise<void> }

async function openPglite(): Promise<Store> {
  const db = await openDb({ kind: 'pglite' })
  await migrate(db)
  return { name: 'PGlite', db, close: () => db.close() }
}

/** A fresh schema on the local PostgreSQL, or null (with the reason) when it is not reachable. */
async function openPostgres(): Promise<Store | string> {
  const schema = `bench_${randomBytes(5).toString('hex')}`
  const admin = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 2000 })
  try { await admin.connect() } catch (err) { return `PostgreSQL not reachable at ${PG_URL.replace(/\/\/[^@]*@/, '//')}: ${(err as Error).message}` }
  await admin.query(`CREATE SCHEMA ${schema}`)
  await admin.end()
  const db = await openDb({ kind: 'pg', url: PG_URL, schema, poolSize: 4 })
  await migrate(db)
  return {
    name: 'PostgreSQL', db,
    close: async () => {
      await db.close()
      const c = new pg.Client({ connectionString: PG_URL })
      await c.connect()
      await c.query(`DROP SCHEMA ${schema} CASCADE`)
      await c.end()
    },
  }
}

function dataset(total: number, seed: number): { stream: DefectiveStream; lastTs: number } {
  const good = new WorkloadGenerator({ seed, distribution: 'production-mirror', anomalies: 0.01, start: new Date('2026-03-01T00:00:00Z') }).take(total)
  return { stream: withDefects(good, total, { dupRate: 0.05, corruptRate: 0.01, seed }), lastTs: good[good.length - 1]!.ts }
}

/** The integrity figures every run reports: loss (good records not stored) and dedup (duplicates caught). */
function integrity(label: string, s: DefectiveStream, t: { stored: number; duplicates: number; quarantined: number }, inStore: number, seconds: number, extra: string): BenchResult[] {
  const lost = s.uniqueGood - Math.min(inStore, t.stored)
  const note = `${s.records.length} records: stored ${t.stored}/${s.uniqueGood} unique good, duplicates ${t.duplicates}/${s.duplicates}, quarantined ${t.quarantined}/${s.corrupt}, rows in store ${inStore}; ${extra}`
  return [
    { name: `ingestion ${label}`, value: s.records.length / seconds, unit: 'records/s', target: TARGET, note },
    { name: `ingestion ${label} loss`, value: (100 * lost) / s.uniqueGood, unit: '%', target: 0, better: 'lower' },
    { name: `ingestion ${label} dedup`, value: (100 * t.duplicates) / s.duplicates, unit: '%', target: 100, note: t.duplicates === s.duplicates && t.quarantined === s.corrupt ? 'every duplicate and corrupt record accounted for' : 'ACCOUNTING MISMATCH' },
  ]
}

/**
 * The store path: `ingestBatch` on batches of BATCH records, by `workers` concurrent writers
 * taking batches in turn (on PostgreSQL they run as concurrent transactions; duplicates of one
 * sample may then race each other, which is what the dedup count checks).
 */
async function storePath(store: Store, strategy: InsertStrategy, total: number, workers = 1): Promise<BenchResult[]> {
  const { stream, lastTs } = dataset(total, strategy === 'unnest' ? workers : 2)
  const clock = manualClock(new Date(lastTs + 60_000))
  const customerId = (await insertCustomer(store.db, { company_name: `bench ${strategy}`, plan: 'pro' })).id
  let next = 0
  const worker = async () => {
    for (let i = next; i < stream.records.length; i = next) {
      next += BATCH
      await ingestBatch(store.db, customerId, stream.records.slice(i, i + BATCH), { clock, strategy, source: 'bench' })
    }
  }
  const { seconds } = await timed(() => Promise.all(Array.from({ length: workers }, worker)))
  const totals = await batchTotals(store.db, customerId)
  const label = `${store.name} (${strategy}${workers > 1 ? `, ${workers} writers` : ''})`
  return integrity(label, stream, totals, await countSamples(store.db, customerId), seconds, `batches of ${BATCH}`)
}

async function httpPath(store: Store, total: number): Promise<BenchResult[]> {
  const { stream, lastTs } = dataset(total, 3)
  const config = configFromEnv({ PORT: '0', OPTIINFRA_DEMO: 'false', OPTIINFRA_WORKERS: 'false', LOG_LEVEL: 'silent', OPTIINFRA_JWT_SECRET: randomBytes(24).toString('hex'), OPTIINFRA_DATA_DIR: '/tmp/optiinfra-bench' })
  const platform = await startPlatform(config, { db: store.db, clock: manualClock(new Date(lastTs + 60_000)), log: pino({ level: 'silent' }) })
  try {
    const customerId = (await insertCustomer(store.db, { company_name: 'bench http', plan: 'pro' })).id
    const { token } = await createRuntimeToken(store.db, customerId, 'bench')
    const client = new PlatformClient(platform.url, token)
    const { result, seconds } = await timed(() => client.ingest(stream.records))
    return integrity(`${store.name} over HTTP`, stream, result, await countSamples(store.db, customerId), seconds, `${result.batches} POSTs of ${BATCH}`).slice(0, 1)
  } finally {
    // not platform.stop(): that would close the store, which the next run still uses
    await platform.app.close()
    await platform.deps.live.stop()
  }
}

/** Runs the ingestion suite on each reachable store. */
export async function run(): Promise<BenchResult[]> {
  const out: BenchResult[] = []
  const lite = await openPglite()
  try {
    out.push(...await storePath(lite, 'unnest', SIZES.pglite), ...await storePath(lite, 'values', SIZES.values))
    out.push(...await httpPath(lite, SIZES.http).catch((err: Error) => [skipped('ingestion PGlite over HTTP', err.message)]))
  } finally { await lite.close() }
  const pgStore = await openPostgres()
  if (typeof pgStore === 'string') return [...out, skipped('ingestion PostgreSQL', pgStore)]
  try {
    out.push(...await storePath(pgStore, 'unnest', SIZES.pg), ...await storePath(pgStore, 'unnest', SIZES.pg, 4), ...await storePath(pgStore, 'values', SIZES.values))
    out.push(...await httpPath(pgStore, SIZES.http).catch((err: Error) => [skipped('ingestion PostgreSQL over HTTP', err.message)]))
  } finally { await pgStore.close() }
  return out
}

function skipped(name: string, why: string): BenchResult {
  return { name, value: 0, unit: 'records/s', target: null, note: `skipped: ${why.slice(0, 160)}` }
}
