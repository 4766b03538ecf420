import type { ReactNode } from 'react'
import { isNum, label, ms, number, pct, usd, when, times } from './format.ts'

/**
 * Formats a value of an open-ended API object (evidence, SLO, step detail) by its key's name:
 * `*_ms` as milliseconds, rates and ratios as percents, costs and savings as dollars. Formatting
 * only, the value itself is the API's.
 */
export function formatByKey(key: string, value: unknown): ReactNode {
  if (value === null || value === undefined) return '—'
  if (typeof value === 'boolean') return value ? 'Yes' : 'No'
  if (Array.isArray(value)) return value.length === 0 ? 'none' : value.every((v) => typeof v !== 'object') ? value.map(String).join(', ') : `${value.length} item${value.length === 1 ? '' : 's'}`
  if (typeof value === 'object') return null
  const k = key.toLowerCase()
  if (isNum(value)) {
    if (/(^|_)ms$|_ms_|latency|ttft|inter_token|ms(before|after)$/.test(k)) return ms(value)
    if (/(reduction|prediction_error|accuracy_ratio|share|fraction)$/.test(k) && Math.abs(value) <= 1.5) return pct(value)
    if (/(usd|cost|spend|savings|price|bill)/.test(k)) return usd(value)
    if (/(ratio|multiplier|factor)$/.test(k)) return times(value)
    if (/(score|accuracy|quality|baseline)/.test(k) && Math.abs(value) <= 1) return value.toFixed(3)
    if (/(rate|ratio|share|fraction|utili[sz]ation|usage|_pct|percent|weight|confidence|delta)/.test(k) && Math.abs(value) <= 1) return pct(value)
    if (/(weight|percent|_pct)/.test(k)) return `${number(value)}%`
    return number(value)
  }
  if (typeof value === 'string') {
    if (/(_at|time|timestamp)$/.test(k) && !Number.isNaN(Date.parse(value))) return when(value)
    return value
  }
  return String(value)
}

const KEY_LABELS: Record<string, string> = {
  p95_ms: 'p95 latency', p99_ms: 'p99 latency', p50_ms: 'p50 latency', rps: 'Throughput (req/s)', error_rate: 'Error rate',
  ttft_p95_ms: 'TTFT p95', itl_p95_ms: 'Inter-token p95', max_quality_drop: 'Max quality drop',
}

/** A field name as a label, without the unit suffix its formatted value already shows. */
export function keyLabel(key: string): string {
  const known = KEY_LABELS[key]
  if (known) return known
  return label(key.replace(/_(ms|usd|pct|percent)$/i, '').replace(/(Ms|Usd)(Before|After)?$/, '$2'))
}

/** True for an array of objects (shown as a table, not as a row). */
export function isObjectList(v: unknown): v is Record<string, unknown>[] {
  return Array.isArray(v) && v.length > 0 && v.every((x) => !!x && typeof x === 'object' && !Array.isArray(x))
}

/** `[label, formatted]` rows for the scalar fields of an object; nested objects and lists of objects are skipped. */
export function scalarRows(obj: Record<string, unknown> | null | undefined, skip: string[] = []): [string, ReactNode][] {
  if (!obj) return []
  return Object.entries(obj)
    .filter(([k, v]) => !skip.includes(k) && !isObjectList(v) && (v === null || typeof v !== 'object' || Array.isArray(v)))
    .map(([k, v]) => [keyLabel(k), formatByKey(k, v)])
}

/** Nested object fields of an object (shown as sub-sections or raw JSON). */
export function objectFields(obj: Record<string, unknown> | null | undefined): [string, Record<string, unknown>][] {
  if (!obj) return []
  return Object.entries(obj).filter((e): e is [string, Record<string, unknown>] => !!e[1] && typeof e[1] === 'object' && !Array.isArray(e[1]))
}
