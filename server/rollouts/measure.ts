/**
 * Measures a canary against stable the way a scraper would: GET each group's vLLM `/metrics` over
 * HTTP at the start and end of a bake interval, parse the exposition, and derive the interval's
 * p95/p99 end-to-end latency and error rate from the counter and histogram deltas. Only the
 * families the analysis needs are kept in the snapshot (it is stored in the run's context).
 */
import type { MetricFamily } from '../telemetry/prometheus.ts'
import { scrape } from '../telemetry/scrape.ts'
import { deriveVllmSignals } from '../telemetry/vllm.ts'
import type { FleetDeployment } from '../cloud/provider.ts'

/** Families a bake needs from a vLLM scrape (with their `_created` companions, which reveal restarts). */
export const BAKE_FAMILIES = ['vllm:e2e_request_latency_seconds', 'vllm:request_success'] as const
const kept = (name: string) => BAKE_FAMILIES.some((k) => name.startsWith(k))

/**
 * One group's counters at a clock time, reduced to the families the analysis uses. `via` names
 * where they were read (absent: scraped from the group's /metrics); an interval is only measured
 * between two snapshots read the same way, since series differ between a scrape and a Prometheus.
 */
export interface Snapshot { at: string; families: MetricFamily[]; via?: string }

/** Both groups' snapshots, or why there are none. */
export type GroupSnapshots = { ok: true; stable: Snapshot; canary: Snapshot } | { ok: false; error: string }

/** What one group did over an interval. */
export interface WindowSignals {
  p95Ms: number | null
  p99Ms: number | null
  errorRate: number | null
  requests: number
  errors: number
  rps: number | null
}

/** A scrape result: the snapshot, or why there is none (an `error` measurement, not an exception). */
export type ScrapeOutcome = { ok: true; snapshot: Snapshot } | { ok: false; error: string }

/** Resolves a deployment endpoint path against the platform URL (absolute URLs pass through). */
export function endpointUrl(base: string, path: string): string {
  return /^https?:\/\//.test(path) ? path : `${base.replace(/\/$/, '')}${path.startsWith('/') ? '' : '/'}${path}`
}

/**
 * GETs one vLLM /metrics endpoint over HTTP (telemetry's scraper) and keeps the families a bake
 * needs. The snapshot is stamped when the answer arrives (`now()` then), because rates divide by
 * the time between two scrapes and a scaled clock moves minutes during one HTTP call.
 */
export async function scrapeVllm(url: string, now: () => Date, bearer?: string): Promise<ScrapeOutcome> {
  const r = await scrape(url, { timeoutMs: 10_000, ...(bearer ? { headers: { authorization: `Bearer ${bearer}` } } : {}) })
  const at = now()
  if (!r.ok) return { ok: false, error: `GET ${url}: ${r.error}` }
  const families = r.parsed.families.filter((f) => kept(f.name))
  if (families.length === 0) return { ok: false, error: `GET ${url}: no vLLM request metrics in the exposition` }
  return { ok: true, snapshot: { at: at.toISOString(), families } }
}

/** Scrapes both groups of a deployment (the canary must exist). */
export async function scrapeGroups(base: string, d: FleetDeployment, now: () => Date, bearer?: string): Promise<GroupSnapshots> {
  const canaryPath = d.endpoints.vllmMetrics.canary
  if (!canaryPath) return { ok: false, error: `deployment ${d.id} has no canary metrics endpoint` }
  const [stable, canary] = await Promise.all([
    scrapeVllm(endpointUrl(base, d.endpoints.vllmMetrics.stable), now, bearer),
    scrapeVllm(endpointUrl(base, canaryPath), now, bearer),
  ])
  if (!stable.ok) return stable
  if (!canary.ok) return canary
  return { ok: true, stable: stable.snapshot, canary: canary.snapshot }
}

/**
 * The interval's signals from two snapshots of one group (deriveVllmSignals over the counter and
 * histogram deltas; a restarted server's counters count from zero, never negative).
 */
export function windowSignals(after: Snapshot, before: Snapshot): WindowSignals {
  const s = deriveVllmSignals({ atMs: Date.parse(after.at), families: after.families }, { atMs: Date.parse(before.at), families: before.families })
  const requests = Math.max(0, s.requestRate * s.windowSeconds)
  const finite = (x: number) => (Number.isFinite(x) ? x : null)
  return {
    p95Ms: finite(s.e2eMs.p95),
    p99Ms: finite(s.e2eMs.p99),
    errorRate: requests > 0 ? s.errorRate : null,
    requests,
    errors: requests * s.errorRate,
    rps: s.windowSeconds > 0 ? s.requestRate : null,
  }
}
