/**
 * `optiinfra generate`: stream N generated records to a JSONL file or to a platform's ingestion
 * endpoint, with progress, then check the distribution (KS) and, when ingesting, that every
 * record is accounted for (stored + duplicates + quarantined = sent).
 */
import { createWriteStream, type WriteStream } from 'node:fs'
import { once } from 'node:events'
import { PlatformClient, addAccounting, INGEST_CHUNK } from '../runtime/client.ts'
import type { IngestReply } from '../../api/metrics.ts'
import { RECORDS_PER_REQUEST, WorkloadGenerator, type GeneratedRecord } from './generator.ts'
import { KsSampleCollector, checkDistribution, type DistributionCheck } from './validate.ts'
import type { Distribution } from './distributions.ts'

/** Where generated records go. */
export type GenerateSink = { kind: 'file'; path: string } | { kind: 'ingest'; server: string; token: string }

/** A generate run's parameters. */
export interface GenerateRun {
  records: number
  seed: number
  distribution: Distribution
  anomalies: number
  /** First timestamp; when absent: 2026-01-01 for files (reproducible), the platform clock minus the span when ingesting. */
  start?: Date
  ratePerSec?: number
  sink: GenerateSink
  /** Called after each chunk with records done so far. */
  onProgress?: (done: number) => void
}

/** What a run produced. */
export interface GenerateSummary {
  records: number
  anomalous: number
  seconds: number
  recordsPerSec: number
  check: DistributionCheck
  ingest?: Omit<IngestReply, 'batch_id'> & { batches: number; lost: number }
}

/** Fixed default start of file output, so the same seed gives byte-identical files. */
export const DEFAULT_FILE_START = new Date('2026-01-01T00:00:00Z')
const CHUNK = INGEST_CHUNK

/** Runs a generation to its sink; never throws for bad data, only for I/O failures. */
export async function runGenerate(run: GenerateRun): Promise<GenerateSummary> {
  const client = run.sink.kind === 'ingest' ? new PlatformClient(run.sink.server, run.sink.token) : null
  const start = run.start ?? (client ? await ingestStart(client, run) : DEFAULT_FILE_START)
  const gen = new WorkloadGenerator({ seed: run.seed, distribution: run.distribution, anomalies: run.anomalies, start, ratePerSec: run.ratePerSec })
  const ks = new KsSampleCollector()
  const out = run.sink.kind === 'file' ? createWriteStream(run.sink.path) : null
  const total = { received: 0, stored: 0, duplicates: 0, quarantined: 0, quarantine_reasons: {} as Record<string, number>, batches: 0 }
  const t0 = performance.now()
  const buf: GeneratedRecord[] = []
  for (let done = 0; done < run.records;) {
    buf.length = 0
    gen.fill(buf, Math.min(CHUNK, run.records - done))
    ks.add(buf)
    if (out) await writeLines(out, buf)
    if (client) addAccounting(total, await client.ingest(buf))
    done += buf.length
    run.onProgress?.(done)
  }
  if (out) { out.end(); await once(out, 'finish') }
  const seconds = (performance.now() - t0) / 1000
  return {
    records: run.records, anomalous: gen.anomalous, seconds, recordsPerSec: run.records / seconds,
    check: checkDistribution(ks.values, run.distribution),
    ...(client ? { ingest: { ...total, lost: run.records - (total.stored + total.duplicates + total.quarantined) } } : {}),
  }
}

// Ingested data must land inside the platform's acceptance window (not in its future), so the
// stream ends before the platform's "now": 3× the expected span covers production-mirror's
// slow night-time arrival rate.
async function ingestStart(client: PlatformClient, run: GenerateRun): Promise<Date> {
  const { server_time } = await client.targets()
  const spanMs = (run.records / RECORDS_PER_REQUEST) * (1000 / (run.ratePerSec ?? 200))
  return new Date(Date.parse(server_time) - 3 * spanMs - 60_000)
}

async function writeLines(out: WriteStream, records: GeneratedRecord[]): Promise<void> {
  let text = ''
  for (const r of records) text += `${JSON.stringify(r)}\n`
  if (!out.write(text)) await once(out, 'drain')
}
