/**
 * Scraping one Prometheus-text endpoint (vLLM or DCGM exporter `/metrics`) over HTTP, as
 * Prometheus does: ask for text 0.0.4, bound the time and the size, parse with the in-house
 * parser. Failures are data (a result with the reason), never exceptions.
 */
import { parsePrometheusText, type ParseResult } from './prometheus.ts'

/** Outcome of one scrape. */
export type ScrapeResult =
  | { ok: true; url: string; parsed: ParseResult; bytes: number; durationMs: number }
  | { ok: false; url: string; error: string; status?: number; durationMs: number }

/** Limits of one scrape. */
export interface ScrapeOptions {
  /** Wall-clock budget (a network timeout, not fleet time). Prometheus' default is 10 s. */
  timeoutMs?: number
  /** Largest body accepted: a vLLM server exposes ~20 KB, an 8-GPU DCGM exporter ~60 KB. */
  maxBytes?: number
  /** Extra request headers (a bearer credential for endpoints that need one). */
  headers?: Record<string, string>
}

// Prometheus sends this Accept header; vLLM's prometheus_client then answers 0.0.4 text.
const ACCEPT = 'text/plain;version=0.0.4;q=1,*/*;q=0.1'

/** Fetches and parses `url`; a non-2xx answer, a timeout or an oversized body is a failed scrape. */
export async function scrape(url: string, opts: ScrapeOptions = {}): Promise<ScrapeResult> {
  const t0 = performance.now()
  const took = () => performance.now() - t0
  try {
    const res = await fetch(url, { headers: { ...opts.headers, accept: ACCEPT }, signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000) })
    if (!res.ok) {
      await res.body?.cancel()
      return { ok: false, url, status: res.status, error: `HTTP ${res.status}`, durationMs: took() }
    }
    const text = await res.text()
    const max = opts.maxBytes ?? 10 * 1_048_576
    if (text.length > max) return { ok: false, url, error: `body larger than ${max} bytes`, durationMs: took() }
    return { ok: true, url, parsed: parsePrometheusText(text), bytes: text.length, durationMs: took() }
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } }
    const reason = e.name === 'TimeoutError' ? 'timed out' : e.cause?.code ?? e.message
    return { ok: false, url, error: reason, durationMs: took() }
  }
}
