/**
 * The HTTP client an agent runtime (or the generator's `--ingest`) uses to talk to a platform
 * with a runtime token: target discovery and batch ingestion. Plain `fetch`, JSON in and out.
 */
import type { IngestReply, TargetsReply } from '../../api/metrics.ts'

/** A non-2xx answer from the platform, with its catalog code when it sent one. */
export class PlatformError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) { super(message) }
}

/** Records per POST: well under the 20k-record and 8 MB limits of /telemetry/ingest. */
export const INGEST_CHUNK = 5_000

/** Calls one platform as one customer's runtime. */
export class PlatformClient {
  constructor(readonly baseUrl: string, private readonly token: string, private readonly timeoutMs = 30_000) {}

  /** What to scrape now, and the platform clock. */
  async targets(): Promise<TargetsReply> {
    return this.call<TargetsReply>('GET', '/agent-runtime/targets')
  }

  /** Posts records in chunks; returns the summed accounting of every chunk. */
  async ingest(records: readonly unknown[]): Promise<Omit<IngestReply, 'batch_id'> & { batches: number }> {
    const total = { received: 0, stored: 0, duplicates: 0, quarantined: 0, quarantine_reasons: {} as Record<string, number>, batches: 0 }
    for (let i = 0; i < records.length; i += INGEST_CHUNK) {
      const r = await this.call<IngestReply>('POST', '/telemetry/ingest', { records: records.slice(i, i + INGEST_CHUNK) })
      addAccounting(total, r)
    }
    return total
  }

  /** Resolves a target URL that may be relative to the platform (simulator endpoints are). */
  resolve(url: string): string {
    return new URL(url, this.baseUrl).toString()
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(new URL(path, this.baseUrl), {
      method,
      headers: { authorization: `Bearer ${this.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body, nonFiniteAsText),
      signal: AbortSignal.timeout(this.timeoutMs),
    })
    const text = await res.text()
    if (!res.ok) {
      let code = 'HTTP_ERROR'
      let message = text.slice(0, 300)
      try { ({ code, message } = JSON.parse(text) as { code: string; message: string }) } catch { /* not JSON */ }
      throw new PlatformError(res.status, code, `${method} ${path} → ${res.status} ${code}: ${message}`)
    }
    return JSON.parse(text) as T
  }
}

/** Adds one batch's accounting into a running total. */
export function addAccounting(total: Omit<IngestReply, 'batch_id'> & { batches: number }, r: Omit<IngestReply, 'batch_id'>): void {
  total.received += r.received
  total.stored += r.stored
  total.duplicates += r.duplicates
  total.quarantined += r.quarantined
  total.batches++
  for (const [k, v] of Object.entries(r.quarantine_reasons)) total.quarantine_reasons[k] = (total.quarantine_reasons[k] ?? 0) + v
}

// JSON has no NaN/Inf; send the exposition spelling so the platform quarantines them with the
// right reason instead of seeing null.
function nonFiniteAsText(_key: string, v: unknown): unknown {
  if (typeof v !== 'number' || Number.isFinite(v)) return v
  return Number.isNaN(v) ? 'NaN' : v > 0 ? '+Inf' : '-Inf'
}
