import { describe, expect, it } from 'vitest'
import { findInstanceType, HOURS_PER_MONTH } from '../../cloud/catalog/catalog.ts'
import { serve } from '../../cloud/model/serving.ts'
import { runAnalysis } from '../run.ts'
import { buildContext, seedFixtureContext, testCatalog, type DeploymentSpec } from '../testing.ts'
import { costAgent } from '../cost/cost.ts'
import { TARGET_PEAK_SATURATION } from '../fleet.ts'
import { resourceAgent } from './resource.ts'

// | fixture  | fleet                                 | load                   | expectation                    |
// | idle 8B  | 4× p5.4xlarge (H100), 20 rps ±30%     | ~8% of capacity        | consolidate to 2 (HA floor)    |
// | busy 70B | 2× p4de.24xlarge, 80 rps ±20%         | > capacity at peak     | scale out to ≤ 80% saturation  |
const IDLE: DeploymentSpec = { id: 'chat-8b', model: 'llama-3.1-8b', instanceType: 'p5.4xlarge', count: 4, rps: 20, amplitude: 0.3, traffic: { promptTokensMean: 512, outputTokensMean: 256, prefixShare: 0.2 } }
const BUSY: DeploymentSpec = { id: 'busy-70b', model: 'llama-3.1-70b', instanceType: 'p4de.24xlarge', count: 2, rps: 80, amplitude: 0.2 }
const hourly = (type: string) => findInstanceType(testCatalog(), 'aws', type)!.onDemandHourlyUsd

describe('resource agent', () => {
  it('consolidates idle replicas down to the two-instance availability floor, saving their price', async () => {
    const ctx = buildContext([IDLE])
    const d = (await runAnalysis(resourceAgent, ctx)).drafts.find((x) => x.type === 'consolidation')!
    expect(d.plan.pools[0]!.count).toBe(2)
    expect(d.estimatedMonthlySavingsUsd).toBeCloseTo(2 * hourly('p5.4xlarge') * HOURS_PER_MONTH, 1)
    const dep = ctx.fleet.deployments[0]!
    const peak = serve(dep.model, dep.stable.config, { gpuType: 'H100', gpusPerInstance: 1, instances: 2, rps: 26, promptTokensMean: 512, outputTokensMean: 256, prefixShare: 0.2 })
    expect(peak.saturation).toBeLessThanOrEqual(TARGET_PEAK_SATURATION)
    expect(peak.e2eMs.p95).toBeLessThanOrEqual(dep.slo.p95Ms)
  })

  it('decides on saturation, not GPU utilization: a pegged GPU with little traffic is still consolidated', async () => {
    const signals = { 'chat-8b': { p95LatencyMs: 5400, p99LatencyMs: 7000, errorRate: 0, throughputRps: 20, kvCacheUsage: 0.05, gpuUtilization: 0.99, queueDepth: 0, preemptionsPerSec: 0, samples: 40 } }
    const d = (await runAnalysis(resourceAgent, buildContext([IDLE], { signals }))).drafts.find((x) => x.type === 'consolidation')!
    expect((d.evidence.signals as string[]).join(' ')).toContain('GPU utilization 0.99 (not used for the decision)')
    expect(d.evidence.source).toBe('telemetry')
  })

  it('scales out on an observed queue instead of consolidating, whatever the model says', async () => {
    const signals = { 'chat-8b': { p95LatencyMs: 9000, p99LatencyMs: 14000, errorRate: 0.001, throughputRps: 20, kvCacheUsage: 0.5, gpuUtilization: 1, queueDepth: 12, preemptionsPerSec: 0, samples: 40 } }
    const out = await runAnalysis(resourceAgent, buildContext([IDLE], { signals }))
    expect(out.drafts.map((d) => d.type)).toEqual(['autoscaling'])
    expect(out.drafts[0]!.plan.pools[0]!.count).toBe(5)
  })

  it('scales a saturated group out until the peak runs at ≤ 80% of capacity, pricing the added instances', async () => {
    const ctx = buildContext([BUSY])
    const d = (await runAnalysis(resourceAgent, ctx)).drafts.find((x) => x.type === 'autoscaling')!
    const n = d.plan.pools[0]!.count
    const dep = ctx.fleet.deployments[0]!
    const at = (count: number) => serve(dep.model, dep.stable.config, { gpuType: 'A100-80GB', gpusPerInstance: 8, instances: count, rps: 96, promptTokensMean: 256, outputTokensMean: 48, prefixShare: 0.5 })
    expect(at(n).saturation).toBeLessThanOrEqual(TARGET_PEAK_SATURATION)
    expect(at(n - 1).saturation).toBeGreaterThan(TARGET_PEAK_SATURATION)
    expect(d.estimatedMonthlySavingsUsd).toBeCloseTo(-(n - 2) * hourly('p4de.24xlarge') * HOURS_PER_MONTH, 1)
  })

  it('as validator approves the seed spot plan (noting interruption headroom) and rejects a plan short of capacity', async () => {
    const ctx = seedFixtureContext({ amplitude: 0.3 })
    const spot = { ...(await runAnalysis(costAgent, ctx)).drafts.find((x) => x.type === 'spot_migration')!, id: 'r1' }
    const ok = await resourceAgent.validate(spot, ctx)
    expect(ok.approved).toBe(true)
    expect(ok.reason).toContain('one spot interruption leaves peak saturation')
    const short = { ...spot, plan: { ...spot.plan, pools: [{ ...spot.plan.pools[0]!, count: 1 }] } }
    const no = await resourceAgent.validate(short, ctx)
    expect(no.approved).toBe(false)
    expect(no.reason).toMatch(/capacity short: peak saturation/)
  })
})
