/**
 * What the agent runtime pushes for one scrape, pure: an `up` sample per target (Prometheus'
 * convention, so failed scrapes are visible as data), a curated set of raw samples, and the
 * derived per-deployment signals (`deployment:<type>`) computed from two consecutive scrapes.
 */
import type { MetricFamily } from '../telemetry/prometheus.ts'
import { deriveVllmSignals, type VllmSignals, type VllmSnapshot } from '../telemetry/vllm.ts'
import { deriveGpuSignals } from '../telemetry/dcgm.ts'
import { DEPLOYMENT_METRIC_PREFIX, type DeploymentMetricType, type IngestRecord } from '../telemetry/record.ts'

/** A target as the runtime scrapes it (URL already absolute). */
export interface Target {
  kind: 'vllm' | 'dcgm' | 'auto'
  url: string
  deploymentId: string
  group: 'stable' | 'canary'
  instanceId?: string
}

/**
 * Raw series worth keeping at full resolution: saturation gauges, the counters rates come from,
 * and the DCGM fields agents use for right-sizing. Everything else is summarized by the derived
 * signals; pushing all ~200 series of every exporter would multiply the store's write load by 10.
 */
export const KEY_RAW_METRICS = new Set([
  'vllm:num_requests_running', 'vllm:num_requests_waiting', 'vllm:kv_cache_usage_perc', 'vllm:gpu_cache_usage_perc',
  'vllm:num_preemptions_total', 'vllm:prompt_tokens_total', 'vllm:generation_tokens_total', 'vllm:request_success_total',
  'DCGM_FI_DEV_GPU_UTIL', 'DCGM_FI_DEV_FB_USED', 'DCGM_FI_DEV_FB_FREE', 'DCGM_FI_DEV_POWER_USAGE', 'DCGM_FI_PROF_GR_ENGINE_ACTIVE',
])

/** Which raw samples to push: the key set (default) or every gauge/counter plus histogram sums and counts. */
export type RawSelection = 'key' | 'all'

/** Series coordinates of a target's samples. */
function coords(t: Target) {
  return { deployment_id: t.deploymentId, group: t.group, ...(t.instanceId ? { instance_id: t.instanceId } : {}) }
}

/** `up` = 1 when the scrape worked, 0 when not; labelled by kind and URL (two exporters may share a host). */
export function upRecord(t: Target, ok: boolean, atMs: number, job: string = t.kind): IngestRecord {
  return { series: { metric: 'up', labels: { job, target: t.url }, ...coords(t) }, ts: atMs, value: ok ? 1 : 0 }
}

/** Lines of a scrape the parser refused (0 on a clean scrape): a partial scrape is visible, never silent. */
export function scrapeErrorRecord(t: Target, errors: number, atMs: number, job: string = t.kind): IngestRecord {
  return { series: { metric: 'scrape_errors', labels: { job, target: t.url }, ...coords(t) }, ts: atMs, value: errors }
}

/** Raw samples of one scrape, stamped with the sample's own timestamp or the scrape time. */
export function rawRecords(t: Target, families: readonly MetricFamily[], atMs: number, selection: RawSelection): IngestRecord[] {
  const out: IngestRecord[] = []
  const c = coords(t)
  for (const f of families) {
    for (const s of f.samples) {
      if (!keep(f, s.name, selection)) continue
      out.push({ series: { metric: s.name, labels: s.labels, ...c }, ts: s.timestampMs ?? atMs, value: s.value })
    }
  }
  return out
}

function keep(f: MetricFamily, name: string, selection: RawSelection): boolean {
  if (selection === 'key') return KEY_RAW_METRICS.has(name)
  if (name.endsWith('_created') || name.endsWith('_info')) return false
  if (f.type === 'histogram' || f.type === 'summary') return name.endsWith('_sum') || name.endsWith('_count')
  return true
}

/** Guesses a target's kind from what it exposes (for `--scrape` URLs given without a kind). */
export function detectKind(families: readonly MetricFamily[]): 'vllm' | 'dcgm' | 'auto' {
  if (families.some((f) => f.name.startsWith('vllm:'))) return 'vllm'
  if (families.some((f) => f.name.startsWith('DCGM_FI_'))) return 'dcgm'
  return 'auto'
}

/** Gauges are meaningful from a single scrape; rates and window percentiles need two. */
const GAUGE_SIGNALS: [DeploymentMetricType, (s: VllmSignals) => number | undefined][] = [
  ['kv_cache_usage', (s) => s.kvCacheUsage],
  ['queue_depth', (s) => s.requestsWaiting],
  ['requests_running', (s) => s.requestsRunning],
]
const WINDOW_SIGNALS: [DeploymentMetricType, (s: VllmSignals) => number | undefined][] = [
  ['ttft_p50_ms', (s) => s.ttftMs.p50], ['ttft_p95_ms', (s) => s.ttftMs.p95], ['ttft_p99_ms', (s) => s.ttftMs.p99],
  ['e2e_p50_ms', (s) => s.e2eMs.p50], ['e2e_p95_ms', (s) => s.e2eMs.p95], ['e2e_p99_ms', (s) => s.e2eMs.p99],
  ['itl_p95_ms', (s) => s.itlMs.p95], ['queue_time_p95_ms', (s) => s.queueMs.p95],
  ['throughput_rps', (s) => s.requestRate], ['error_rate', (s) => s.errorRate],
  ['generation_tokens_per_sec', (s) => s.generationTokensPerSec], ['prompt_tokens_per_sec', (s) => s.promptTokensPerSec],
  ['preemptions_per_sec', (s) => (s.windowSeconds > 0 ? s.preemptions / s.windowSeconds : undefined)],
  ['prefix_cache_hit_rate', (s) => s.prefixCacheHitRate],
]

/** A derived signal as an ingestion record. */
export function derivedRecord(t: Pick<Target, 'deploymentId' | 'group'>, type: DeploymentMetricType, atMs: number, value: number): IngestRecord {
  return { series: { metric: `${DEPLOYMENT_METRIC_PREFIX}${type}`, labels: {}, deployment_id: t.deploymentId, group: t.group }, ts: atMs, value }
}

/**
 * Derived vLLM signals of a serving group from this scrape and the previous one. A window that
 * saw no requests has no latency percentiles (NaN from the histogram): those are omitted, not zero.
 */
export function vllmSignalRecords(t: Target, now: VllmSnapshot, before: VllmSnapshot | undefined): IngestRecord[] {
  const signals = deriveVllmSignals(now, before)
  const table = before && signals.windowSeconds > 0 ? [...GAUGE_SIGNALS, ...WINDOW_SIGNALS] : GAUGE_SIGNALS
  const out: IngestRecord[] = []
  for (const [type, read] of table) {
    const v = read(signals)
    if (v !== undefined && Number.isFinite(v)) out.push(derivedRecord(t, type, now.atMs, v))
  }
  return out
}

/**
 * GPU utilization of each serving group: the mean over every GPU of the group's instances
 * (DCGM's engine-active fraction where exposed, see dcgm.ts), one `deployment:gpu_utilization` per group.
 */
export function gpuGroupRecords(scrapes: { target: Target; families: readonly MetricFamily[] }[], atMs: number): IngestRecord[] {
  const groups = new Map<string, { target: Target; sum: number; n: number }>()
  for (const { target, families } of scrapes) {
    const key = JSON.stringify([target.deploymentId, target.group])
    const g = groups.get(key) ?? { target, sum: 0, n: 0 }
    for (const gpu of deriveGpuSignals(families).gpus) { g.sum += gpu.utilization; g.n++ }
    groups.set(key, g)
  }
  const out: IngestRecord[] = []
  for (const g of groups.values()) if (g.n > 0) out.push(derivedRecord(g.target, 'gpu_utilization', atMs, g.sum / g.n))
  return out
}
