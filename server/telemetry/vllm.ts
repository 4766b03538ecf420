/**
 * Turns one or two vLLM `/metrics` scrapes into the signals the optimizer reasons about
 * (ecosystem-formats §1.4). Works across vLLM versions: every renamed metric is read under its
 * current name first and its pre-rename name second (§1.3), and everything is summed over label
 * sets, so multi-engine (data-parallel) servers and multi-model scrapes aggregate correctly.
 */
import { bucketDelta, histogramQuantile, sumBuckets } from './histogram.ts'
import type { MetricFamily, Sample } from './prometheus.ts'
import { histogramSeries, indexSamples, seriesKey, type Bucket } from './series.ts'

/** One parsed scrape of a vLLM server and when it was taken (epoch ms). */
export interface VllmSnapshot {
  atMs: number
  families: MetricFamily[]
}

/** Latency quantiles in milliseconds; NaN when the window saw no observations. */
export interface LatencyQuantiles {
  p50: number
  p95: number
  p99: number
}

/** What the optimizer wants from a vLLM server; rates are per second over `windowSeconds`. */
export interface VllmSignals {
  /** The served model when the scrape has exactly one `model_name`; see `models` otherwise. */
  model?: string
  models: string[]
  /** Span the deltas cover: between the snapshots, or since the counters were created. */
  windowSeconds: number
  requestsRunning: number
  requestsWaiting: number
  /** 0..1, mean over engines (what vLLM's own aggregated logger reports). */
  kvCacheUsage: number
  /** Preemptions in the window. */
  preemptions: number
  requestRate: number
  /** Share of finished requests that ended `abort` or `error` (see ERROR_REASONS). */
  errorRate: number
  generationTokensPerSec: number
  promptTokensPerSec: number
  ttftMs: LatencyQuantiles
  itlMs: LatencyQuantiles
  e2eMs: LatencyQuantiles
  queueMs: { p95: number }
  /** Prefix-cache hits / queries in the window (token based); undefined without queries. */
  prefixCacheHitRate?: number
  /** KV cache capacity in tokens from `vllm:cache_config_info`, summed over engines. */
  kvCapacityTokens?: number
}

// Current name first, pre-rename name second (ecosystem-formats §1.3).
/** vLLM's bucket boundaries in seconds (vllm/v1/metrics/loggers.py, ecosystem-formats §1.2). */
export const VLLM_BUCKETS = {
  ttft: [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0, 160.0, 640.0, 2560.0],
  itl: [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0],
  e2e: [0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0, 15.0, 20.0, 30.0, 40.0, 50.0, 60.0, 120.0, 240.0, 480.0, 960.0, 1920.0, 7680.0],
} as const

export const KV_USAGE = ['vllm:kv_cache_usage_perc', 'vllm:gpu_cache_usage_perc']
export const ITL = ['vllm:inter_token_latency_seconds', 'vllm:time_per_output_token_seconds']
const PREFIX_CACHE = [
  { queries: 'vllm:prefix_cache_queries_total', hits: 'vllm:prefix_cache_hits_total' },
  { queries: 'vllm:gpu_prefix_cache_queries_total', hits: 'vllm:gpu_prefix_cache_hits_total' },
]

/**
 * Finish reasons counted as failures. `abort` is included although clients cause some aborts
 * (disconnects, cancelled streams): from the fleet's side an aborted request is work that did not
 * deliver, and overload (timeouts, queue give-ups) shows up there first. `length`, `stop` and
 * `repetition` are normal completions.
 */
export const ERROR_REASONS: ReadonlySet<string> = new Set(['abort', 'error'])

type Index = Map<string, Sample[]>

/** Derives signals from a scrape, over the window since `before` when given (else since start). */
export function deriveVllmSignals(now: VllmSnapshot, before?: VllmSnapshot): VllmSignals {
  const cur = indexSamples(now.families)
  const prev = before === undefined ? undefined : indexSamples(before.families)
  const window = windowSeconds(now, cur, before)
  const rate = (delta: number): number => (window > 0 ? delta / window : 0)
  const delta = (name: string, keep?: (labels: Record<string, string>) => boolean): number => counterDelta(cur, prev, name, keep)
  const finished = delta('vllm:request_success_total')
  const failed = delta('vllm:request_success_total', (l) => ERROR_REASONS.has(l.finished_reason ?? ''))
  const models = modelNames(cur)
  const signals: VllmSignals = {
    models,
    windowSeconds: window,
    requestsRunning: sumValues(cur.get('vllm:num_requests_running')),
    requestsWaiting: sumValues(cur.get('vllm:num_requests_waiting')),
    kvCacheUsage: clamp01(meanValues(cur.get(firstPresent(cur, KV_USAGE)))),
    preemptions: delta('vllm:num_preemptions_total'),
    requestRate: rate(finished),
    errorRate: finished > 0 ? failed / finished : 0,
    generationTokensPerSec: rate(delta('vllm:generation_tokens_total')),
    promptTokensPerSec: rate(delta('vllm:prompt_tokens_total')),
    ttftMs: latencyMs(cur, prev, 'vllm:time_to_first_token_seconds'),
    itlMs: latencyMs(cur, prev, firstPresent(cur, ITL)),
    e2eMs: latencyMs(cur, prev, 'vllm:e2e_request_latency_seconds'),
    queueMs: { p95: latencyMs(cur, prev, 'vllm:request_queue_time_seconds').p95 },
  }
  if (models.length === 1) signals.model = models[0]
  const hitRate = prefixCacheHitRate(cur, prev)
  if (hitRate !== undefined) signals.prefixCacheHitRate = hitRate
  const capacity = kvCapacityTokens(cur)
  if (capacity !== undefined) signals.kvCapacityTokens = capacity
  return signals
}

// Between two snapshots: their distance. From one snapshot: time since the earliest `_created`
// (process start as prometheus_client reports it), so lifetime averages are still meaningful.
// 0 when unknown (multiprocess mode emits no `_created`), in which case rates are reported as 0.
function windowSeconds(now: VllmSnapshot, cur: Index, before: VllmSnapshot | undefined): number {
  if (before !== undefined) return Math.max(0, (now.atMs - before.atMs) / 1000)
  let start = Infinity
  for (const [name, samples] of cur) {
    if (!name.startsWith('vllm:') || !name.endsWith('_created')) continue
    for (const s of samples) if (s.value > 0) start = Math.min(start, s.value)
  }
  return start === Infinity ? 0 : Math.max(0, now.atMs / 1000 - start)
}

function firstPresent(index: Index, names: readonly string[]): string {
  const present = names.find((name) => (index.get(name)?.length ?? 0) > 0 || index.has(`${name}_count`))
  return present ?? (names[0] as string)
}

function sumValues(samples: readonly Sample[] | undefined): number {
  let total = 0
  for (const s of samples ?? []) if (!Number.isNaN(s.value)) total += s.value
  return total
}

function meanValues(samples: readonly Sample[] | undefined): number {
  const valid = (samples ?? []).filter((s) => !Number.isNaN(s.value))
  return valid.length === 0 ? 0 : sumValues(valid) / valid.length
}

function clamp01(v: number): number {
  return Math.min(1, Math.max(0, v))
}

// Value per series (seriesKey) of one sample name.
function byKey(samples: readonly Sample[] | undefined): Map<string, number> {
  return new Map((samples ?? []).map((s) => [seriesKey(s.labels), s.value]))
}

// A series restarted when its `_created` timestamp changed between the scrapes.
function restartedKeys(cur: Index, prev: Index, createdName: string): Set<string> {
  const before = byKey(prev.get(createdName))
  const out = new Set<string>()
  for (const s of cur.get(createdName) ?? []) {
    const key = seriesKey(s.labels)
    const old = before.get(key)
    if (old !== undefined && old !== s.value) out.add(key)
  }
  return out
}

// Increase of a counter summed over series; a decrease or a new `_created` means the process
// restarted, and then the current value is the increase. Without `prev`: the cumulative value.
function counterDelta(cur: Index, prev: Index | undefined, name: string, keep?: (labels: Record<string, string>) => boolean): number {
  const before = prev === undefined ? undefined : byKey(prev.get(name))
  const restarted = prev === undefined ? new Set<string>() : restartedKeys(cur, prev, name.replace(/_total$/, '_created'))
  let total = 0
  for (const s of cur.get(name) ?? []) {
    if (keep !== undefined && !keep(s.labels)) continue
    const key = seriesKey(s.labels)
    const old = before?.get(key)
    total += old === undefined || s.value < old || restarted.has(key) ? s.value : s.value - old
  }
  return total
}

// Quantiles of a histogram over the window, buckets summed across series (`sum by (le)`).
function latencyMs(cur: Index, prev: Index | undefined, base: string): LatencyQuantiles {
  const now = histogramSeries(cur, base)
  const before = prev === undefined ? undefined : histogramSeries(prev, base)
  const restarted = prev === undefined ? new Set<string>() : restartedKeys(cur, prev, `${base}_created`)
  const deltas: Bucket[][] = []
  for (const [key, series] of now) {
    const old = restarted.has(key) ? undefined : before?.get(key)?.buckets
    deltas.push(bucketDelta(series.buckets, old))
  }
  const buckets = sumBuckets(deltas)
  const ms = (q: number): number => histogramQuantile(buckets, q) * 1000
  return { p50: ms(0.5), p95: ms(0.95), p99: ms(0.99) }
}

function prefixCacheHitRate(cur: Index, prev: Index | undefined): number | undefined {
  const names = PREFIX_CACHE.find((pair) => cur.has(pair.queries))
  if (names === undefined) return undefined
  const queries = counterDelta(cur, prev, names.queries)
  return queries > 0 ? counterDelta(cur, prev, names.hits) / queries : undefined
}

function modelNames(index: Index): string[] {
  const models = new Set<string>()
  for (const [name, samples] of index) {
    if (!name.startsWith('vllm:')) continue
    for (const s of samples) if (s.labels.model_name !== undefined) models.add(s.labels.model_name)
  }
  return [...models].sort()
}

// Newer builds expose kv_cache_size_tokens; older ones only num_gpu_blocks × block_size.
function kvCapacityTokens(index: Index): number | undefined {
  let total: number | undefined
  for (const s of index.get('vllm:cache_config_info') ?? []) {
    const direct = Number(s.labels.kv_cache_size_tokens)
    const derived = Number(s.labels.num_gpu_blocks) * Number(s.labels.block_size)
    const tokens = Number.isFinite(direct) && s.labels.kv_cache_size_tokens !== undefined ? direct : derived
    if (Number.isFinite(tokens)) total = (total ?? 0) + tokens
  }
  return total
}
