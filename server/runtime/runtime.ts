/**
 * The agent runtime: on every interval, discover what to scrape (or use the given URLs), scrape
 * every vLLM and DCGM endpoint over HTTP, turn the scrapes into records (raw samples plus derived
 * signals from consecutive scrapes) and push them to the platform. Used by `optiinfra runtime`
 * and, in-process over real HTTP, by the embedded runtime service.
 */
import type { Clock } from '../clock.ts'
import { systemClock } from '../clock.ts'
import type { IngestRecord } from '../telemetry/record.ts'
import { scrape, type ScrapeResult } from '../telemetry/scrape.ts'
import type { VllmSnapshot } from '../telemetry/vllm.ts'
import { PlatformClient } from './client.ts'
import { detectKind, gpuGroupRecords, rawRecords, scrapeErrorRecord, upRecord, vllmSignalRecords, type RawSelection, type Target } from './records.ts'
import { readSmi, type RunSmi, type SmiRead, type SmiSource } from './nvidia-smi-source.ts'
import type { MetricFamily } from '../telemetry/prometheus.ts'

/** Minimal logger (pino's shape). */
export interface RuntimeLog { info(o: object, msg?: string): void; warn(o: object, msg?: string): void }

/** How a runtime runs. */
export interface RuntimeOptions {
  server: string
  token: string
  /** Static targets; when absent they are discovered from GET /agent-runtime/targets every interval. */
  scrapeUrls?: Target[]
  intervalSeconds: number
  clock: Clock
  raw?: RawSelection
  log?: RuntimeLog
  /** Hosts whose GPUs are read from nvidia-smi (no DCGM exporter there). */
  smi?: SmiSource[]
  runSmi?: RunSmi
  /** Stops the loop of `runRuntime`. */
  signal?: AbortSignal
}

/** What one tick did. */
export interface TickReport {
  at: string
  targets: number
  scraped: number
  failed: { url: string; error: string }[]
  /** Sources that answered but with lines the parser refused (counted, pushed as `scrape_errors`). */
  partial: { url: string; errors: number; first: string }[]
  records: number
  pushed: { received: number; stored: number; duplicates: number; quarantined: number } | null
  /** Records waiting to be resent after a failed push. */
  buffered: number
  /** Records given up because the resend buffer was full (logged, counted, never silent). */
  dropped: number
}

/**
 * Records kept for resending when the platform is unreachable: about 10 minutes of a large
 * fleet's key series. Resending is safe: the platform stores a (series, ts) once.
 */
export const MAX_BUFFERED_RECORDS = 100_000
const quiet: RuntimeLog = { info: () => undefined, warn: () => undefined }

/** One customer's runtime state across ticks: previous scrapes and unsent records. */
export class RuntimeLoop {
  readonly client: PlatformClient
  private previous = new Map<string, VllmSnapshot>()
  private buffer: IngestRecord[] = []
  private dropped = 0

  constructor(private readonly opts: RuntimeOptions) {
    this.client = new PlatformClient(opts.server, opts.token)
  }

  /** Scrapes every target once and pushes the result (plus anything left from a failed push). */
  async tick(): Promise<TickReport> {
    const targets = await this.discover()
    const atMs = this.opts.clock.now().getTime()
    const [results, smi] = await Promise.all([
      Promise.all(targets.map((t) => scrape(t.url, { headers: this.credentialFor(t.url) }))),
      Promise.all((this.opts.smi ?? []).map((s) => readSmi(s, this.opts.runSmi))),
    ])
    const smiGpus = this.smiRecords(smi, atMs)
    const records = [...this.toRecords(targets, results, atMs, smiGpus.gpus), ...smiGpus.records]
    const pushed = await this.push(records)
    const failed = [...results, ...smi.map((r) => ({ ...r, url: r.source }))].flatMap((r) => (r.ok ? [] : [{ url: r.url, error: r.error }]))
    const partial = [
      ...results.flatMap((r) => (r.ok && r.parsed.errors.length ? [{ url: r.url, errors: r.parsed.errors.length, first: `line ${r.parsed.errors[0]!.line}: ${r.parsed.errors[0]!.reason}` }] : [])),
      ...smi.flatMap((r) => (r.ok && r.errors.length ? [{ url: r.source, errors: r.errors.length, first: `line ${r.errors[0]!.line}: ${r.errors[0]!.reason}` }] : [])),
    ]
    const total = targets.length + smi.length
    return { at: new Date(atMs).toISOString(), targets: total, scraped: total - failed.length, failed, partial, records: records.length, pushed, buffered: this.buffer.length, dropped: this.dropped }
  }

  /** Records of the nvidia-smi sources, and their GPUs for the group signals. */
  private smiRecords(reads: SmiRead[], atMs: number): { records: IngestRecord[]; gpus: { target: Target; families: MetricFamily[] }[] } {
    const records: IngestRecord[] = []
    const gpus: { target: Target; families: MetricFamily[] }[] = []
    reads.forEach((r, i) => {
      const s = this.opts.smi![i]!
      const target: Target = { kind: 'dcgm', url: r.source, deploymentId: s.deploymentId, group: s.group, instanceId: s.hostname ?? r.source }
      records.push(upRecord(target, r.ok, atMs, 'nvidia-smi'))
      if (!r.ok) return
      records.push(scrapeErrorRecord(target, r.errors.length, atMs, 'nvidia-smi'), ...rawRecords(target, r.families, atMs, this.opts.raw ?? 'key'))
      gpus.push({ target, families: r.families })
    })
    return { records, gpus }
  }

  // The runtime token opens the platform's own (simulated) fleet endpoints; it is never sent to
  // another origin, where it would leak to whoever runs that exporter.
  private credentialFor(url: string): Record<string, string> {
    return new URL(url).origin === new URL(this.opts.server).origin ? { authorization: `Bearer ${this.opts.token}` } : {}
  }

  private async discover(): Promise<Target[]> {
    if (this.opts.scrapeUrls) return this.opts.scrapeUrls
    const reply = await this.client.targets()
    return reply.targets.map((t) => ({ kind: t.kind, url: this.client.resolve(t.url), deploymentId: t.deployment_id, group: t.group, instanceId: t.instance_id }))
  }

  private toRecords(targets: Target[], results: ScrapeResult[], atMs: number, smiGpus: { target: Target; families: MetricFamily[] }[]): IngestRecord[] {
    const records: IngestRecord[] = []
    const seen = new Set<string>()
    const gpu: { target: Target; families: MetricFamily[] }[] = [...smiGpus]
    targets.forEach((t, i) => {
      const r = results[i]!
      records.push(upRecord(t, r.ok, atMs))
      if (!r.ok) return
      records.push(scrapeErrorRecord(t, r.parsed.errors.length, atMs))
      const kind = t.kind === 'auto' ? detectKind(r.parsed.families) : t.kind
      records.push(...rawRecords(t, r.parsed.families, atMs, this.opts.raw ?? 'key'))
      if (kind === 'dcgm') gpu.push({ target: t, families: r.parsed.families })
      if (kind !== 'vllm') return
      const snap = { atMs, families: r.parsed.families }
      records.push(...vllmSignalRecords(t, snap, this.previous.get(t.url)))
      this.previous.set(t.url, snap)
      seen.add(t.url)
    })
    records.push(...gpuGroupRecords(gpu, atMs))
    // forget targets that disappeared (a finished canary), so a later reuse starts clean
    for (const url of this.previous.keys()) if (!seen.has(url) && !targets.some((t) => t.url === url)) this.previous.delete(url)
    return records
  }

  private async push(records: IngestRecord[]): Promise<TickReport['pushed']> {
    const all = this.buffer.length ? [...this.buffer, ...records] : records
    try {
      const r = await this.client.ingest(all)
      this.buffer = []
      return { received: r.received, stored: r.stored, duplicates: r.duplicates, quarantined: r.quarantined }
    } catch (err) {
      const overflow = Math.max(0, all.length - MAX_BUFFERED_RECORDS)
      if (overflow) {
        this.dropped += overflow
        this.opts.log?.warn({ dropped: overflow }, 'runtime resend buffer full: oldest records given up')
      }
      this.buffer = all.slice(overflow)
      this.opts.log?.warn({ err: (err as Error).message, buffered: this.buffer.length }, 'telemetry push failed; will resend')
      return null
    }
  }
}

// A clock that never waits (a test's manual clock) would spin; a short wall pause bounds that.
const MIN_WALL_GAP_MS = 20

/** Runs ticks every `intervalSeconds` of clock time until `signal` aborts; tick errors are logged, never thrown. */
export async function runRuntime(opts: RuntimeOptions, onTick?: (r: TickReport) => void): Promise<void> {
  const loop = new RuntimeLoop(opts)
  const log = opts.log ?? quiet
  while (!opts.signal?.aborted) {
    const started = opts.clock.now().getTime()
    try {
      const report = await loop.tick()
      onTick?.(report)
      if (report.failed.length) log.warn({ failed: report.failed }, 'some scrapes failed')
      if (report.partial.length) log.warn({ partial: report.partial }, 'some scrapes had lines the parser refused')
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'runtime tick failed')
    }
    const waitMs = started + opts.intervalSeconds * 1000 - opts.clock.now().getTime()
    await Promise.race([Promise.all([opts.clock.sleep(Math.max(0, waitMs)), systemClock.sleep(MIN_WALL_GAP_MS)]), aborted(opts.signal)])
  }
}

function aborted(signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return new Promise(() => undefined)
  if (signal.aborted) return Promise.resolve()
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }))
}
