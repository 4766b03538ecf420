import { describe, expect, it } from 'vitest'
import { gpuSpec } from '../../cloud/catalog/catalog.ts'
import { accuracy } from '../../cloud/model/quality.ts'
import { serve } from '../../cloud/model/serving.ts'
import type { RecommendationUnderReview } from '../agent.ts'
import { runAnalysis } from '../run.ts'
import { buildContext, seedFixtureContext, type DeploymentSpec } from '../testing.ts'
import { costAgent } from '../cost/cost.ts'
import { performanceAgent } from './performance.ts'

const H100_8B: DeploymentSpec = { id: 'chat-8b', model: 'llama-3.1-8b', instanceType: 'p5.4xlarge', count: 4, rps: 20, amplitude: 0.3, traffic: { promptTokensMean: 512, outputTokensMean: 256, prefixShare: 0.2 } }
const drafts = async (specs: DeploymentSpec[], opts: Parameters<typeof buildContext>[1] = {}) => (await runAnalysis(performanceAgent, buildContext(specs, opts))).drafts

describe('performance agent: FP8 weights', () => {
  it('proposes FP8 on H100 with the serving model\'s capacity gain and the quality model\'s (negligible) loss', async () => {
    const ctx = buildContext([H100_8B])
    const d = (await runAnalysis(performanceAgent, ctx)).drafts.find((x) => x.type === 'quantization')!
    const dep = ctx.fleet.deployments[0]!
    const load = { gpuType: 'H100', gpusPerInstance: 1, instances: 4, rps: 0, promptTokensMean: 512, outputTokensMean: 256, prefixShare: 0.2 }
    const ratio = serve(dep.model, { ...dep.stable.config, quantization: 'fp8' }, load).maxRpsCapacity / serve(dep.model, dep.stable.config, load).maxRpsCapacity
    expect(d.predicted.throughputCapacityRatio).toBeCloseTo(ratio, 2)
    expect(ratio).toBeGreaterThan(1.3)
    const dq = accuracy(dep.model, { ...dep.stable.config, quantization: 'fp8' }, { gpuType: 'H100' }) - accuracy(dep.model, dep.stable.config, { gpuType: 'H100' })
    expect(d.predicted.qualityDelta).toBeCloseTo(dq, 4)
    expect(d.predicted.p95LatencyMsAfter!).toBeLessThan(d.predicted.p95LatencyMsBefore!)
    expect(d.plan.config.quantization).toBe('fp8')
    expect(d.plan.pools).toEqual([{ cloud: 'aws', region: 'us-east-1', instanceType: 'p5.4xlarge', pricing: 'on-demand', count: 4 }])
    expect(d.estimatedMonthlySavingsUsd).toBe(0)
    expect(d.riskLevel).toBe('low')
  })

  it('never proposes FP8 weights on Ampere (A100), which has no FP8 tensor cores', async () => {
    expect(gpuSpec('A100-40GB').fp8).toBe(false)
    const out = await drafts([{ id: 'a', model: 'llama-3-8b', instanceType: 'p4de.24xlarge', count: 2, rps: 200 }, { id: 'vllm-prod-1', model: 'llama-3-70b', instanceType: 'p4d.24xlarge', count: 2, rps: 45 }])
    expect(out.filter((d) => d.type === 'quantization')).toEqual([])
  })
})

describe('performance agent: KV cache and batching', () => {
  it('turns on prefix caching for traffic with a shared prefix', async () => {
    const out = await drafts([{ ...H100_8B, id: 'np', config: { enablePrefixCaching: false }, traffic: { promptTokensMean: 2048, outputTokensMean: 128, prefixShare: 0.6 } }])
    const d = out.find((x) => x.type === 'kv_cache_tuning')!
    expect(d.plan.config.enablePrefixCaching).toBe(true)
    expect(d.evidence.triggers).toEqual([expect.stringContaining('60% of prompt tokens')])
    expect(d.predicted.p95LatencyMsAfter!).toBeLessThan(d.predicted.p95LatencyMsBefore!)
  })

  it('moves the KV cache to FP8 under observed KV pressure, but only for tolerant model families', async () => {
    const signals = { kv: { p95LatencyMs: 9000, p99LatencyMs: 12000, errorRate: 0.001, throughputRps: 60, kvCacheUsage: 0.93, gpuUtilization: 1, queueDepth: 2, preemptionsPerSec: 0.4, samples: 30 } }
    const spec: DeploymentSpec = { id: 'kv', model: 'llama-3.1-8b', instanceType: 'g6e.xlarge', count: 2, rps: 60, traffic: { promptTokensMean: 4096, outputTokensMean: 256, prefixShare: 0 } }
    const d = (await drafts([spec], { signals })).find((x) => x.type === 'kv_cache_tuning')!
    expect(d.plan.config.kvCacheDtype).toBe('fp8')
    expect(d.evidence.source).toBe('telemetry')
    expect((d.evidence.triggers as string[]).join(' ')).toContain('observed KV-cache usage 0.93')
  })

  it('tunes batching when the group queues at peak, predicting the gain from the serving model', async () => {
    const ctx = buildContext([{ id: 'busy-70b', model: 'llama-3.1-70b', instanceType: 'p4de.24xlarge', count: 2, rps: 80, amplitude: 0.2 }])
    const d = (await runAnalysis(performanceAgent, ctx)).drafts.find((x) => x.type === 'batching_tuning')!
    const dep = ctx.fleet.deployments[0]!
    const peak = { gpuType: 'A100-80GB', gpusPerInstance: 8, instances: 2, rps: 96, promptTokensMean: 256, outputTokensMean: 48, prefixShare: 0.5 }
    const before = serve(dep.model, dep.stable.config, peak).e2eMs.p95
    const after = serve(dep.model, d.plan.config, peak).e2eMs.p95
    expect(after).toBeLessThan(before * 0.95)
    expect((d.evidence.model_peak_after as { p95_ms: number }).p95_ms).toBeCloseTo(after, 0)
    expect((d.evidence.triggers as string[]).some((t) => t.includes('queue'))).toBe(true)
  })
})

describe('performance agent as SLO validator', () => {
  const spotOf = async (ctx: ReturnType<typeof buildContext>): Promise<RecommendationUnderReview> => ({ ...(await runAnalysis(costAgent, ctx)).drafts.find((d) => d.type === 'spot_migration')!, id: 'r1' })

  it('approves spot migration of the non-latency-critical seed fixture', async () => {
    const ctx = seedFixtureContext({ amplitude: 0.3 })
    const v = await performanceAgent.validate(await spotOf(ctx), ctx)
    expect(v.approved).toBe(true)
    expect(v.reason).toMatch(/SLO safe.*not latency-critical/)
  })

  it('rejects an all-spot plan for a latency-critical deployment and a plan the model does not fit', async () => {
    const ctx = seedFixtureContext({ latencyCritical: true })
    const rec = await spotOf(seedFixtureContext())
    const allSpot = await performanceAgent.validate(rec, ctx)
    expect(allSpot.approved).toBe(false)
    expect(allSpot.reason).toContain('no on-demand floor')
    const tiny = { ...rec, plan: { ...rec.plan, pools: [{ cloud: 'aws' as const, region: 'us-east-1', instanceType: 'g6.xlarge', pricing: 'on-demand' as const, count: 2 }] } }
    const v = await performanceAgent.validate(tiny, seedFixtureContext())
    expect(v.approved).toBe(false)
    expect(v.reason).toContain('does not fit')
  })
})
