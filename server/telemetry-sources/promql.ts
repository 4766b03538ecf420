/**
 * The PromQL that turns a Prometheus' vLLM and DCGM series into OptiInfra's derived signals
 * (`deployment:<type>`, the ones agents, dashboards and canary analysis read), one query per type,
 * grouped by the labels that name a deployment and its serving group. Pure.
 */
import { DEPLOYMENT_METRIC_PREFIX, type DeploymentMetricType, type IngestRecord } from '../telemetry/record.ts'
import { ERROR_REASONS, ITL, KV_USAGE } from '../telemetry/vllm.ts'

/** How a source's series name deployments and groups, and the rate window. */
export interface QueryShape { deploymentLabel: string; groupLabel: string; window: string }

/** One query per signal type. */
export interface SignalQuery { type: DeploymentMetricType; expr: string }

/** One sample of an instant vector, as `/api/v1/query` answers it. */
export interface VectorSample { metric: Record<string, string>; value: [number, string] }

const ERROR_REASON_RE = [...ERROR_REASONS].join('|')

/** The signal queries for one source. */
export function signalQueries(s: QueryShape): SignalQuery[] {
  const by = `${s.deploymentLabel}, ${s.groupLabel}`
  const rate = (m: string, sel = '') => `rate(${m}${sel}[${s.window}])`
  const sumRate = (m: string, sel = '') => `sum by (${by}) (${rate(m, sel)})`
  const quantile = (q: number, metrics: string[]) =>
    `1000 * histogram_quantile(${q}, sum by (le, ${by}) (${metrics.map((m) => rate(`${m}_bucket`)).join(' or ')}))`
  const e2e = ['vllm:e2e_request_latency_seconds']
  const ttft = ['vllm:time_to_first_token_seconds']
  const finished = sumRate('vllm:request_success_total')
  return [
    { type: 'e2e_p50_ms', expr: quantile(0.5, e2e) }, { type: 'e2e_p95_ms', expr: quantile(0.95, e2e) }, { type: 'e2e_p99_ms', expr: quantile(0.99, e2e) },
    { type: 'ttft_p50_ms', expr: quantile(0.5, ttft) }, { type: 'ttft_p95_ms', expr: quantile(0.95, ttft) }, { type: 'ttft_p99_ms', expr: quantile(0.99, ttft) },
    { type: 'itl_p95_ms', expr: quantile(0.95, ITL) },
    { type: 'queue_time_p95_ms', expr: quantile(0.95, ['vllm:request_queue_time_seconds']) },
    { type: 'throughput_rps', expr: finished },
    // a window with finished requests and no failed ones has an error rate of 0, not no value
    { type: 'error_rate', expr: `(${sumRate('vllm:request_success_total', `{finished_reason=~"${ERROR_REASON_RE}"}`)} or 0 * ${finished}) / ${finished}` },
    { type: 'generation_tokens_per_sec', expr: sumRate('vllm:generation_tokens_total') },
    { type: 'prompt_tokens_per_sec', expr: sumRate('vllm:prompt_tokens_total') },
    { type: 'kv_cache_usage', expr: `avg by (${by}) (${KV_USAGE.join(' or ')})` },
    { type: 'queue_depth', expr: `sum by (${by}) (vllm:num_requests_waiting)` },
    { type: 'requests_running', expr: `sum by (${by}) (vllm:num_requests_running)` },
    { type: 'preemptions_per_sec', expr: sumRate('vllm:num_preemptions_total') },
    { type: 'prefix_cache_hit_rate', expr: `${sumRate('vllm:prefix_cache_hits_total')} / ${sumRate('vllm:prefix_cache_queries_total')}` },
    // DCGM's engine-active fraction when profiling metrics are on, else GPU_UTIL (percent)
    { type: 'gpu_utilization', expr: `avg by (${by}) (DCGM_FI_PROF_GR_ENGINE_ACTIVE) or avg by (${by}) (DCGM_FI_DEV_GPU_UTIL) / 100` },
  ]
}

/** Samples of one signal as derived records stamped `atMs`; samples without a deployment label or not finite are skipped. */
export function recordsOf(type: DeploymentMetricType, samples: VectorSample[], s: QueryShape, atMs: number): IngestRecord[] {
  const out: IngestRecord[] = []
  for (const x of samples) {
    const deployment = x.metric[s.deploymentLabel]
    const value = Number(x.value[1])
    if (!deployment || !Number.isFinite(value)) continue
    const group = x.metric[s.groupLabel] === 'canary' ? 'canary' : 'stable'
    out.push({ series: { metric: `${DEPLOYMENT_METRIC_PREFIX}${type}`, labels: {}, deployment_id: deployment, group }, ts: atMs, value })
  }
  return out
}
