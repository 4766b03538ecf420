/**
 * Synthetic monitoring: a short journey against a running platform (health, readiness, an
 * authenticated API call) and, for a serving deployment, N chat completions whose latency p95 and
 * error rate are held to SLOs. Meant for cron/CI: the result says which SLO was missed.
 */

/** Options of one probe run. */
export interface ProbeOptions {
  url: string
  token?: string
  deploymentUrl?: string
  /** Bearer for the deployment (vLLM `--api-key`, or a runtime token for the simulated fleet). */
  deploymentToken?: string
  requests: number
  maxP95Ms: number
  maxErrorRate: number
  timeoutMs: number
}

/** One check of the journey and whether it met its SLO. */
export interface ProbeCheck { name: string; ok: boolean; detail: string; p95_ms: number | null; error_rate: number | null; slo: string }

/** The journey's outcome. */
export interface ProbeResult { ok: boolean; checks: ProbeCheck[]; missed: string[] }

/** Defaults of the CLI flags. */
export const PROBE_DEFAULTS = { requests: 20, maxP95Ms: 1000, maxErrorRate: 0.001, timeoutMs: 10_000 }

/** Nearest-rank quantile of a sample (q in [0,1]). */
export function quantile(values: number[], q: number): number | null {
  if (!values.length) return null
  const s = [...values].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!
}

/** Parses and checks flags; returns options or the reason they are invalid. */
export function parseProbeFlags(f: Record<string, string | undefined>): ProbeOptions | { error: string } {
  const num = (v: string | undefined, d: number) => (v === undefined ? d : Number(v))
  const o: ProbeOptions = {
    url: (f.url ?? '').replace(/\/+$/, ''), token: f.token, deploymentUrl: f.deploymentUrl?.replace(/\/+$/, ''), deploymentToken: f.deploymentToken,
    requests: num(f.requests, PROBE_DEFAULTS.requests), maxP95Ms: num(f.maxP95Ms, PROBE_DEFAULTS.maxP95Ms),
    maxErrorRate: num(f.maxErrorRate, PROBE_DEFAULTS.maxErrorRate), timeoutMs: num(f.timeoutMs, PROBE_DEFAULTS.timeoutMs),
  }
  const isUrl = (u: string | undefined) => { try { return !!u && /^https?:$/.test(new URL(u).protocol) } catch { return false } }
  if (!isUrl(o.url)) return { error: '--url must be an http(s) URL' }
  if (o.deploymentUrl !== undefined && !isUrl(o.deploymentUrl)) return { error: '--deployment-url must be an http(s) URL' }
  if (!Number.isInteger(o.requests) || o.requests < 1 || o.requests > 10_000) return { error: '--requests must be an integer 1..10000' }
  if (!(o.maxP95Ms > 0)) return { error: '--max-p95-ms must be a number > 0' }
  if (!(o.maxErrorRate >= 0 && o.maxErrorRate <= 1)) return { error: '--max-error-rate must be within 0..1' }
  if (!(o.timeoutMs > 0)) return { error: '--timeout-ms must be a number > 0' }
  return o
}

/** One timed request: status (0 when it never answered) and wall-clock milliseconds. */
async function timed(url: string, init: RequestInit, timeoutMs: number): Promise<{ status: number; ms: number; error?: string }> {
  const t0 = performance.now()
  try {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) })
    await res.arrayBuffer()
    return { status: res.status, ms: performance.now() - t0 }
  } catch (err) {
    return { status: 0, ms: performance.now() - t0, error: (err as Error).message }
  }
}

async function single(name: string, url: string, init: RequestInit, o: ProbeOptions): Promise<ProbeCheck> {
  const r = await timed(url, init, o.timeoutMs)
  const up = r.status === 200
  const ok = up && r.ms <= o.maxP95Ms
  const detail = !up ? `HTTP ${r.status || r.error}` : ok ? `HTTP 200 in ${r.ms.toFixed(1)} ms` : `latency ${r.ms.toFixed(1)} ms > ${o.maxP95Ms} ms`
  return { name, ok, detail, p95_ms: round1(r.ms), error_rate: up ? 0 : 1, slo: `200 within ${o.maxP95Ms} ms` }
}

async function chat(o: ProbeOptions): Promise<ProbeCheck> {
  const body = JSON.stringify({ messages: [{ role: 'user', content: 'optiinfra synthetic probe: reply with OK' }], max_tokens: 16 })
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (o.deploymentToken) headers.authorization = `Bearer ${o.deploymentToken}`
  const init = { method: 'POST', headers, body }
  const results: { status: number; ms: number }[] = []
  // sequential on purpose: the probe measures latency, it must not load the deployment
  for (let i = 0; i < o.requests; i++) results.push(await timed(`${o.deploymentUrl}/v1/chat/completions`, init, o.timeoutMs))
  const good = results.filter((r) => r.status === 200)
  const errorRate = (results.length - good.length) / results.length
  const p95 = quantile(good.map((r) => r.ms), 0.95)
  const misses = [
    ...(p95 === null ? ['no successful completion'] : p95 > o.maxP95Ms ? [`p95 ${p95.toFixed(1)} ms > ${o.maxP95Ms} ms`] : []),
    ...(errorRate > o.maxErrorRate ? [`error rate ${(errorRate * 100).toFixed(2)}% > ${(o.maxErrorRate * 100).toFixed(2)}%`] : []),
  ]
  return {
    name: `chat completions ×${o.requests}`, ok: misses.length === 0, p95_ms: p95 === null ? null : round1(p95), error_rate: round4(errorRate),
    detail: misses.length ? misses.join('; ') : `p95 ${p95!.toFixed(1)} ms, ${good.length}/${results.length} ok`,
    slo: `p95 ≤ ${o.maxP95Ms} ms, errors ≤ ${(o.maxErrorRate * 100).toFixed(2)}%`,
  }
}

/** Runs the journey. */
export async function runProbe(o: ProbeOptions): Promise<ProbeResult> {
  const checks = [await single('GET /health', `${o.url}/health`, {}, o), await single('GET /ready', `${o.url}/ready`, {}, o)]
  if (o.token) checks.push(await single('GET /customers (token)', `${o.url}/customers`, { headers: { authorization: `Bearer ${o.token}` } }, o))
  if (o.deploymentUrl) checks.push(await chat(o))
  const missed = checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail} (SLO ${c.slo})`)
  return { ok: missed.length === 0, checks, missed }
}

/** The result as a fixed-width table plus a verdict line. */
export function formatProbe(r: ProbeResult): string {
  const rows = [['check', 'status', 'p95 ms', 'errors', 'detail'], ...r.checks.map((c) => [c.name, c.ok ? 'OK' : 'MISS', c.p95_ms === null ? '-' : String(c.p95_ms), c.error_rate === null ? '-' : `${(c.error_rate * 100).toFixed(2)}%`, c.detail])]
  const w = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)))
  const lines = rows.map((row) => row.map((cell, i) => cell.padEnd(w[i]!)).join('  ').trimEnd())
  const verdict = r.ok ? 'PROBE OK: every check met its SLO' : `PROBE FAILED: SLO missed — ${r.missed.join('; ')}`
  return [...lines, verdict].join('\n')
}

const round1 = (x: number) => Math.round(x * 10) / 10
const round4 = (x: number) => Math.round(x * 10_000) / 10_000
