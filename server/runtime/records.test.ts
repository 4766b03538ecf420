import { describe, expect, it } from 'vitest'
import { parsePrometheusText } from '../telemetry/prometheus.ts'
import { detectKind, gpuGroupRecords, rawRecords, upRecord, vllmSignalRecords, type Target } from './records.ts'
import { parseScrapeFlag } from './cli.ts'
import { fixtureText, scaledVllm } from './fixture-server.ts'

const vllm = parsePrometheusText(fixtureText('vllm-metrics-v1.txt')).families
const dcgm = parsePrometheusText(fixtureText('dcgm-exporter-h100x2.txt')).families
const target: Target = { kind: 'vllm', url: 'http://h:8000/metrics', deploymentId: 'd', group: 'canary' }
const types = (records: { series: { metric: string } }[]) => records.map((r) => r.series.metric.replace('deployment:', '')).sort()

describe('runtime records', () => {
  it('derives only gauges from a first scrape: rates need a window', () => {
    expect(types(vllmSignalRecords(target, { atMs: 1000, families: vllm }, undefined))).toEqual(['kv_cache_usage', 'queue_depth', 'requests_running'])
  })

  it('derives every window signal from two scrapes, on the target\'s deployment and group', () => {
    const r = vllmSignalRecords(target, { atMs: 31_000, families: scaledVllm(vllm, 1.5) }, { atMs: 1000, families: vllm })
    expect(types(r)).toEqual(['e2e_p50_ms', 'e2e_p95_ms', 'e2e_p99_ms', 'error_rate', 'generation_tokens_per_sec', 'itl_p95_ms', 'kv_cache_usage',
      'preemptions_per_sec', 'prefix_cache_hit_rate', 'prompt_tokens_per_sec', 'queue_depth', 'queue_time_p95_ms', 'requests_running', 'throughput_rps',
      'ttft_p50_ms', 'ttft_p95_ms', 'ttft_p99_ms'])
    expect(r.every((x) => x.series.deployment_id === 'd' && x.series.group === 'canary' && x.ts === 31_000)).toBe(true)
  })

  it('omits latency percentiles of a window without requests instead of sending NaN or 0', () => {
    const r = vllmSignalRecords(target, { atMs: 31_000, families: vllm }, { atMs: 1000, families: vllm })
    expect(types(r)).not.toContain('e2e_p95_ms')
    expect(r.find((x) => x.series.metric === 'deployment:throughput_rps')?.value).toBe(0)
    expect(r.every((x) => Number.isFinite(x.value))).toBe(true)
  })

  it('keeps the key raw series by default and every gauge/counter (not _created, not buckets) with "all"', () => {
    const key = rawRecords(target, vllm, 5, 'key').map((r) => r.series.metric)
    expect(new Set(key)).toEqual(new Set(['vllm:num_requests_running', 'vllm:num_requests_waiting', 'vllm:kv_cache_usage_perc', 'vllm:num_preemptions_total',
      'vllm:prompt_tokens_total', 'vllm:generation_tokens_total', 'vllm:request_success_total']))
    const all = rawRecords(target, vllm, 5, 'all').map((r) => r.series.metric)
    expect(all.some((m) => m.endsWith('_created') || m.endsWith('_bucket'))).toBe(false)
    expect(all).toContain('vllm:e2e_request_latency_seconds_sum')
  })

  it('averages GPU utilization over every GPU of a serving group', () => {
    const a = { ...target, kind: 'dcgm' as const, instanceId: 'i-1' }
    const b = { ...a, instanceId: 'i-2' }
    const r = gpuGroupRecords([{ target: a, families: dcgm }, { target: b, families: dcgm }], 9)
    expect(r).toHaveLength(1)
    expect(r[0]).toMatchObject({ series: { metric: 'deployment:gpu_utilization', deployment_id: 'd', group: 'canary' }, ts: 9 })
    expect(r[0]!.value).toBeCloseTo(0.913474 / 2, 6)
  })

  it('recognizes exporters and marks scrape health', () => {
    expect(detectKind(vllm)).toBe('vllm')
    expect(detectKind(dcgm)).toBe('dcgm')
    expect(upRecord(target, false, 7)).toMatchObject({ series: { metric: 'up', labels: { job: 'vllm', target: target.url } }, value: 0 })
  })

  it('parses --scrape values with and without a deployment prefix', () => {
    expect(parseScrapeFlag('http://10.0.0.5:8000/metrics')).toMatchObject({ deploymentId: '10.0.0.5:8000', group: 'stable', kind: 'auto' })
    expect(parseScrapeFlag('chat/canary=http://10.0.0.5:8000/metrics')).toMatchObject({ deploymentId: 'chat', group: 'canary', url: 'http://10.0.0.5:8000/metrics' })
    expect(() => parseScrapeFlag('chat/blue=http://x/metrics')).toThrow(/stable or canary/)
    expect(() => parseScrapeFlag('file:///etc/passwd')).toThrow(/http/)
  })
})
