/**
 * Formatting only: every number shown comes from the API; these functions never derive a figure,
 * they only turn one into text (currency, percent, time).
 */

const usd0 = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', maximumFractionDigits: 0 })
const usd2 = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 2 })
const usdCompact = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', notation: 'compact', maximumFractionDigits: 1 })
const num = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 })
const numCompact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 })

/** True for a finite number (API fields may be null while something is still being measured). */
export function isNum(v: unknown): v is number { return typeof v === 'number' && Number.isFinite(v) }

/** `$12,345` (cents shown under $100, where they matter). */
export function usd(v: unknown): string {
  if (!isNum(v)) return '—'
  return Math.abs(v) < 100 ? usd2.format(v) : usd0.format(v)
}

/** `$12.3K` for axis ticks. */
export function usdShort(v: unknown): string { return isNum(v) ? usdCompact.format(v) : '—' }

/** Plain number with at most two decimals. */
export function number(v: unknown): string { return isNum(v) ? num.format(v) : '—' }

/** `1.2K` for axis ticks. */
export function numberShort(v: unknown): string { return isNum(v) ? numCompact.format(v) : '—' }

/** A 0–1 ratio as a percent: 0.0123 → `1.23%`. */
export function pct(v: unknown, digits = 1): string {
  if (!isNum(v)) return '—'
  const p = v * 100
  return `${p.toFixed(Math.abs(p) < 1 && p !== 0 ? Math.max(digits, 2) : digits)}%`
}

/** A signed 0–1 delta as percentage points: -0.004 → `−0.4 pp`. */
export function pp(v: unknown): string {
  if (!isNum(v)) return '—'
  const p = v * 100
  return `${p > 0 ? '+' : p < 0 ? '−' : ''}${Math.abs(p).toFixed(1)} pp`
}

/** Milliseconds: `845 ms`, `1.24 s`. */
export function ms(v: unknown): string {
  if (!isNum(v)) return '—'
  return v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${Math.round(v)} ms`
}

/** A multiplier: 1.6 → `1.6×`. */
export function times(v: unknown): string { return isNum(v) ? `${num.format(v)}×` : '—' }

const dateTime = new Intl.DateTimeFormat('en-US', { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false })
const timeOnly = new Intl.DateTimeFormat('en-US', { hour: '2-digit', minute: '2-digit', hour12: false })
const timeSec = new Intl.DateTimeFormat('en-US', { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false })

function toDate(v: unknown): Date | null {
  if (typeof v !== 'string' && typeof v !== 'number') return null
  const d = new Date(v)
  return Number.isNaN(d.getTime()) ? null : d
}

/** `Mar 4, 14:05`. */
export function when(v: unknown): string { const d = toDate(v); return d ? dateTime.format(d) : '—' }

/** `14:05`. */
export function clock(v: unknown): string { const d = toDate(v); return d ? timeOnly.format(d) : '—' }

/** `14:05:09`. */
export function clockSec(v: unknown): string { const d = toDate(v); return d ? timeSec.format(d) : '—' }

/** `3 min ago`, relative to `now` (the platform's clock, which may run faster than the wall). */
export function ago(v: unknown, now: Date | null): string {
  const d = toDate(v)
  if (!d) return 'never'
  if (!now) return when(v)
  const s = Math.round((now.getTime() - d.getTime()) / 1000)
  if (s < 5) return 'just now'
  if (s < 60) return `${s} s ago`
  if (s < 3600) return `${Math.round(s / 60)} min ago`
  if (s < 86_400) return `${Math.round(s / 3600)} h ago`
  return `${Math.round(s / 86_400)} d ago`
}

/** Duration between two instants: `4 min 12 s`. */
export function duration(from: unknown, to: unknown): string {
  const a = toDate(from)
  const b = toDate(to)
  if (!a || !b) return '—'
  const s = Math.max(0, Math.round((b.getTime() - a.getTime()) / 1000))
  if (s < 60) return `${s} s`
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`
  return `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`
}

const ACRONYMS: Record<string, string> = { kv: 'KV', fp8: 'FP8', int8: 'INT8', int4: 'INT4', gpu: 'GPU', slo: 'SLO', p95: 'p95', p99: 'p99', ms: 'ms', rps: 'req/s', usd: 'USD', vllm: 'vLLM', id: 'ID', aws: 'AWS', gcp: 'GCP', iam: 'IAM', arn: 'ARN', tp: 'TP' }

/** `spot_migration` → `Spot migration`; keeps acronyms (`kv_cache_tuning` → `KV cache tuning`). */
export function label(v: unknown): string {
  if (typeof v !== 'string' || !v) return '—'
  const words = v.replace(/([a-z0-9])([A-Z])/g, '$1_$2').split(/[_\s:.-]+/).filter(Boolean)
  return words.map((w, i) => {
    const lower = w.toLowerCase()
    const acr = ACRONYMS[lower]
    if (acr) return acr
    return i === 0 ? lower.charAt(0).toUpperCase() + lower.slice(1) : lower
  }).join(' ')
}

/** Short id for display: first 8 characters of a UUID. */
export function shortId(id: unknown): string { return typeof id === 'string' ? id.slice(0, 8) : '—' }

/** An audit actor for display: `user:<uuid>` → `user 1a2b3c4d`, `workflow:<worker id>` → `workflow`. */
export function actor(v: unknown): string {
  if (typeof v !== 'string' || !v) return '—'
  const [kind, rest] = v.split(/:(.*)/s)
  if (!rest) return v
  if (kind === 'workflow' || kind === 'agent' || kind === 'system') return kind
  return /^[0-9a-f-]{36}$/.test(rest) ? `${kind} ${rest.slice(0, 8)}` : rest
}
