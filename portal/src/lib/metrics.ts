import type { MetricType } from '../api/types.ts'
import { ms, number, numberShort, pct, usd, usdShort, isNum } from './format.ts'

/** How one metric of the metrics API is labelled and formatted. */
export interface MetricSpec { type: MetricType; label: string; description: string; format: (v: unknown) => string; tick: (v: unknown) => string }

// Axis ticks keep enough decimals to tell small values apart (an error rate of 0.01% is not "0%").
const ratioTick = (v: unknown) => {
  if (!isNum(v)) return ''
  const p = Math.abs(v * 100)
  const digits = p === 0 ? 0 : p < 0.1 ? 3 : p < 1 ? 2 : p < 10 ? 1 : 0
  return `${(v * 100).toFixed(digits)}%`
}
const msTick = (v: unknown) => (isNum(v) ? (Math.abs(v) >= 1000 ? `${(v / 1000).toFixed(Math.abs(v) >= 10_000 ? 1 : 2)} s` : `${Math.round(v)} ms`) : '')

/** Display rules per metric type (formatting only; the values are the API's). */
export const METRICS: Record<MetricType, MetricSpec> = {
  monthly_cost: { type: 'monthly_cost', label: 'Spend run-rate', description: 'Monthly run-rate from the bill', format: usd, tick: usdShort },
  hourly_cost: { type: 'hourly_cost', label: 'Hourly cost', description: 'Cost accrued per hour at the prices actually paid', format: usd, tick: usdShort },
  p95_latency_ms: { type: 'p95_latency_ms', label: 'p95 latency', description: 'End-to-end request latency, 95th percentile', format: ms, tick: msTick },
  p99_latency_ms: { type: 'p99_latency_ms', label: 'p99 latency', description: 'End-to-end request latency, 99th percentile', format: ms, tick: msTick },
  throughput_rps: { type: 'throughput_rps', label: 'Throughput', description: 'Requests served per second', format: (v) => isNum(v) ? `${number(v)} req/s` : '—', tick: numberShort },
  error_rate: { type: 'error_rate', label: 'Error rate', description: 'Share of requests that failed', format: (v) => pct(v, 2), tick: ratioTick },
  gpu_utilization: { type: 'gpu_utilization', label: 'GPU utilization', description: 'DCGM GPU utilization', format: (v) => isNum(v) ? `${v.toFixed(1)}%` : '—', tick: (v) => isNum(v) ? `${Math.round(v)}%` : '' },
  kv_cache_usage: { type: 'kv_cache_usage', label: 'KV-cache usage', description: 'vLLM KV-cache blocks in use', format: (v) => pct(v), tick: ratioTick },
  ttft_p95_ms: { type: 'ttft_p95_ms', label: 'Time to first token p95', description: 'vLLM time to first token, 95th percentile', format: ms, tick: msTick },
  itl_p95_ms: { type: 'itl_p95_ms', label: 'Inter-token latency p95', description: 'vLLM time between output tokens, 95th percentile', format: ms, tick: msTick },
  generation_tokens_per_sec: { type: 'generation_tokens_per_sec', label: 'Output tokens/s', description: 'Tokens generated per second', format: (v) => isNum(v) ? `${number(v)} tok/s` : '—', tick: numberShort },
  requests_running: { type: 'requests_running', label: 'Running requests', description: 'Requests being decoded (vLLM num_requests_running)', format: (v) => isNum(v) ? number(v) : '—', tick: numberShort },
  queue_depth: { type: 'queue_depth', label: 'Waiting requests', description: 'Requests queued for a batch slot (vLLM num_requests_waiting)', format: (v) => isNum(v) ? number(v) : '—', tick: numberShort },
  preemptions_per_sec: { type: 'preemptions_per_sec', label: 'Preemptions/s', description: 'Requests preempted for lack of KV-cache space', format: (v) => isNum(v) ? `${v.toFixed(3)}/s` : '—', tick: numberShort },
  quality_score: { type: 'quality_score', label: 'Quality score', description: 'Accuracy on the evaluation set', format: (v) => isNum(v) ? v.toFixed(3) : '—', tick: (v) => isNum(v) ? v.toFixed(2) : '' },
}

/**
 * The spec to format a given series with. GPU utilization is percent (0–100) in DCGM's format but
 * a 0–1 ratio in some APIs: a series whose values all lie in [0, 1] is shown as a ratio.
 */
export function specFor(type: MetricType, values: readonly number[]): MetricSpec {
  const spec = METRICS[type]
  if (type !== 'gpu_utilization' || values.length === 0 || values.some((v) => v > 1)) return spec
  return { ...spec, format: (v) => pct(v), tick: ratioTick }
}

/** Time ranges the dashboards offer. */
export const RANGES = [
  { id: '1h', label: '1 h', ms: 3_600_000 },
  { id: '6h', label: '6 h', ms: 6 * 3_600_000 },
  { id: '24h', label: '24 h', ms: 24 * 3_600_000 },
  { id: '7d', label: '7 d', ms: 7 * 24 * 3_600_000 },
] as const
export type RangeId = (typeof RANGES)[number]['id']

/** The range for an id (unknown ids fall back to 24 h). */
export function rangeOf(id: string | null | undefined) { return RANGES.find((r) => r.id === id) ?? RANGES[2] }
