import { describe, expect, it } from 'vitest'
import { emptyGroupCounters, accrueGroup, type GroupCounters } from '../cloud/simulator/counters.ts'
import { vllmFamilies } from '../cloud/simulator/vllm-metrics.ts'
import { defaultEngineConfig, type ServingStats } from '../cloud/model/serving.ts'
import { renderPrometheusText } from '../telemetry/exposition.ts'
import { parsePrometheusText, type MetricFamily } from '../telemetry/prometheus.ts'
import { windowSignals, type Snapshot } from '../rollouts/measure.ts'
import type { PrometheusApi } from './prometheus-api.ts'
import type { VectorSample } from './promql.ts'
import { groupQuery, prometheusGroups } from './snapshot.ts'
import type { SourceRow } from './store.ts'

const T0 = new Date('2026-01-01T00:00:00Z')
const stats = (p95: number, errorRate: number) => ({
  fits: true, ttftMs: { p50: 100, p95: 200, p99: 300 }, itlMs: { p50: 20, p95: 30, p99: 40 }, e2eMs: { p50: p95 / 2, p95, p99: p95 * 1.4 }, queueMs: { p50: 0, p95: 0, p99: 0 },
  throughputRps: 10 * (1 - errorRate), generationTokensPerSec: 480, errorRate, prefixCacheHitRate: 0, preemptionsPerSec: 0,
}) as unknown as ServingStats

/** What one vLLM server exposes, through the real exposition text and parser. */
const exposed = (c: GroupCounters): MetricFamily[] =>
  parsePrometheusText(renderPrometheusText(vllmFamilies('m', c, { running: 1, waiting: 0, kvCacheUsage: 0.2, kvCacheTokens: 1000 }, defaultEngineConfig, T0))).families

/** A Prometheus holding the latest scrape of each pod, labelled as its scrape config does. */
function fakePrometheus(pods: { labels: Record<string, string>; families: MetricFamily[] }[]): PrometheusApi & { queries: string[] } {
  const queries: string[] = []
  return {
    queries,
    async query(expr) {
      queries.push(expr)
      const names = new RegExp(`^${JSON.parse(expr.match(/__name__=~("[^"]+")/)![1]!)}$`)
      const wantCanary = expr.includes('group="canary"')
      return pods.filter((p) => (p.labels.group === 'canary') === wantCanary).flatMap((p) => p.families.flatMap((f) => f.samples))
        .filter((s) => names.test(s.name))
        .map((s): VectorSample => ({ metric: { __name__: s.name, ...s.labels, ...pods.find((p) => p.families.some((f) => f.samples.includes(s)))!.labels }, value: [0, String(s.value)] }))
    },
    async series() { return [] },
  }
}

const source = { url: 'http://prom:9090', headers: {}, deployment_label: 'deployment_id', group_label: 'group' } as unknown as SourceRow

describe('a canary measured through Prometheus', () => {
  it('selects one deployment\'s groups: canary by its label, stable as every series not labelled canary', () => {
    expect(groupQuery(source, 'chat', 'canary')).toContain('deployment_id="chat", group="canary"')
    expect(groupQuery(source, 'chat', 'stable')).toContain('group!="canary"')
  })

  it('measures an interval exactly as two scrapes of the same servers do', async () => {
    const canary0 = accrueGroup(emptyGroupCounters(), stats(900, 0.03), 10, 512, 600)
    const stable0 = accrueGroup(emptyGroupCounters(), stats(700, 0.001), 10, 512, 600)
    const canary1 = accrueGroup(structuredClone(canary0), stats(900, 0.03), 10, 512, 60)
    const stable1 = accrueGroup(structuredClone(stable0), stats(700, 0.001), 10, 512, 60)
    const pod = (group: string, c: GroupCounters) => ({ labels: { job: 'vllm', instance: `${group}:8000`, deployment_id: 'chat', group }, families: exposed(c) })
    const at = (ms: number) => () => new Date(T0.getTime() + ms)
    const before = await prometheusGroups(source, 'chat', at(0), fakePrometheus([pod('stable', stable0), pod('canary', canary0)]))
    const after = await prometheusGroups(source, 'chat', at(60_000), fakePrometheus([pod('stable', stable1), pod('canary', canary1)]))
    if (!before.ok || !after.ok) throw new Error('no snapshot')
    expect(after.canary.via).toBe('Prometheus http://prom:9090')

    const scrape = (c: GroupCounters, ms: number): Snapshot => ({ at: new Date(T0.getTime() + ms).toISOString(), families: exposed(c) })
    for (const [group, c0, c1] of [['canary', canary0, canary1], ['stable', stable0, stable1]] as const) {
      const viaPrometheus = windowSignals(after[group], before[group])
      const scraped = windowSignals(scrape(c1, 60_000), scrape(c0, 0))
      expect(viaPrometheus.requests).toBeGreaterThan(500)
      expect(viaPrometheus).toEqual(scraped)
    }
  })

  it('reports a group Prometheus holds no series of, and an unreachable Prometheus, as errors', async () => {
    const onlyStable = fakePrometheus([{ labels: { deployment_id: 'chat', group: 'stable' }, families: exposed(emptyGroupCounters()) }])
    expect(await prometheusGroups(source, 'chat', () => T0, onlyStable)).toEqual({ ok: false, error: 'Prometheus http://prom:9090 holds no vLLM request series for the canary group of chat' })
    const down: PrometheusApi = { query: async () => { throw new Error('/api/v1/query: ECONNREFUSED') }, series: async () => [] }
    expect(await prometheusGroups(source, 'chat', () => T0, down)).toEqual({ ok: false, error: 'Prometheus http://prom:9090: /api/v1/query: ECONNREFUSED' })
  })
})
