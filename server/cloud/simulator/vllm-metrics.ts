/**
 * The metric families a vLLM V1 server exposes at /metrics (ecosystem-formats §1.2), built from a
 * group's cumulative counters and current gauges, shaped like prometheus_client's output:
 * counters declared as `<name>_total` with a separate `<name>_created` gauge family, labels in
 * sorted order (`engine`, `finished_reason`, `le`, `model_name`). Pure.
 */
import type { MetricFamily, Sample } from '../../telemetry/prometheus.ts'
import type { EngineConfig } from '../model/serving.ts'
import { FINISHED_REASONS, type GroupCounters, type Hist } from './counters.ts'
import { VLLM_BUCKETS } from '../../telemetry/vllm.ts'

/** Current gauges of the group's engine. */
export interface VllmGauges { running: number; waiting: number; kvCacheUsage: number; kvCacheTokens: number }

/** vLLM's KV block size in tokens (default 16), for cache_config_info's num_gpu_blocks. */
const BLOCK_SIZE = 16

type Labels = Record<string, string>

function gauge(name: string, help: string, samples: Sample[]): MetricFamily {
  return { name, type: 'gauge', help, samples }
}

function counter(base: string, help: string, series: { labels: Labels; value: number }[], createdSec: number): MetricFamily[] {
  return [
    { name: `${base}_total`, type: 'counter', help, samples: series.map((s) => ({ name: `${base}_total`, labels: s.labels, value: s.value })) },
    gauge(`${base}_created`, help, series.map((s) => ({ name: `${base}_created`, labels: s.labels, value: createdSec }))),
  ]
}

function fmtLe(le: number): string {
  return Number.isInteger(le) ? `${le}.0` : String(le)
}

function histogram(base: string, help: string, h: Hist, bounds: readonly number[], labels: { engine: string; model_name: string }, createdSec: number): MetricFamily[] {
  const samples: Sample[] = bounds.map((le, i) => ({
    name: `${base}_bucket`, labels: { engine: labels.engine, le: fmtLe(le), model_name: labels.model_name }, value: h.buckets[i] ?? 0,
  }))
  samples.push({ name: `${base}_bucket`, labels: { engine: labels.engine, le: '+Inf', model_name: labels.model_name }, value: h.count })
  samples.push({ name: `${base}_count`, labels: { ...labels }, value: h.count })
  samples.push({ name: `${base}_sum`, labels: { ...labels }, value: h.sum })
  return [
    { name: base, type: 'histogram', help, samples },
    gauge(`${base}_created`, help, [{ name: `${base}_created`, labels: { ...labels }, value: createdSec }]),
  ]
}

/** Every family of one engine (`engine="0"`): gauges, counters, latency histograms, cache config. */
export function vllmFamilies(modelName: string, c: GroupCounters, g: VllmGauges, config: EngineConfig, created: Date): MetricFamily[] {
  const l = { engine: '0', model_name: modelName }
  const createdSec = created.getTime() / 1000
  const one = (value: number) => [{ labels: { ...l }, value }]
  return [
    gauge('vllm:num_requests_running', 'Number of requests in model execution batches.', [{ name: 'vllm:num_requests_running', labels: { ...l }, value: g.running }]),
    gauge('vllm:num_requests_waiting', 'Number of requests waiting to be processed.', [{ name: 'vllm:num_requests_waiting', labels: { ...l }, value: g.waiting }]),
    gauge('vllm:kv_cache_usage_perc', 'KV-cache usage. 1 means 100 percent usage.', [{ name: 'vllm:kv_cache_usage_perc', labels: { ...l }, value: g.kvCacheUsage }]),
    ...counter('vllm:prefix_cache_queries', 'Prefix cache queries, in terms of number of queried tokens.', one(c.prefixQueries), createdSec),
    ...counter('vllm:prefix_cache_hits', 'Prefix cache hits, in terms of number of cached tokens.', one(c.prefixHits), createdSec),
    ...counter('vllm:num_preemptions', 'Cumulative number of preemption from the engine.', one(c.preemptions), createdSec),
    ...counter('vllm:prompt_tokens', 'Number of prefill tokens processed.', one(c.promptTokens), createdSec),
    ...counter('vllm:generation_tokens', 'Number of generation tokens processed.', one(c.generationTokens), createdSec),
    ...counter('vllm:request_success', 'Count of successfully processed requests.',
      FINISHED_REASONS.map((r) => ({ labels: { engine: '0', finished_reason: r, model_name: modelName }, value: c.finished[r] })), createdSec),
    ...histogram('vllm:time_to_first_token_seconds', 'Histogram of time to first token in seconds.', c.ttft, VLLM_BUCKETS.ttft, l, createdSec),
    ...histogram('vllm:inter_token_latency_seconds', 'Histogram of inter-token latency in seconds.', c.itl, VLLM_BUCKETS.itl, l, createdSec),
    ...histogram('vllm:e2e_request_latency_seconds', 'Histogram of e2e request latency in seconds.', c.e2e, VLLM_BUCKETS.e2e, l, createdSec),
    ...histogram('vllm:request_queue_time_seconds', 'Histogram of time spent in WAITING phase for request.', c.queue, VLLM_BUCKETS.e2e, l, createdSec),
    gauge('vllm:cache_config_info', 'Information of the LLMEngine CacheConfig', [{
      name: 'vllm:cache_config_info', value: 1,
      labels: {
        block_size: String(BLOCK_SIZE), cache_dtype: config.kvCacheDtype, enable_prefix_caching: config.enablePrefixCaching ? 'True' : 'False',
        engine: '0', gpu_memory_utilization: String(config.gpuMemoryUtilization), num_cpu_blocks: 'None',
        num_gpu_blocks: String(Math.floor(g.kvCacheTokens / BLOCK_SIZE)),
      },
    }]),
  ]
}
