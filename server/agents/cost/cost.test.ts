import { describe, expect, it } from 'vitest'
import { commitmentFor, findInstanceType, HOURS_PER_MONTH } from '../../cloud/catalog/catalog.ts'
import { spotPriceAt } from '../../cloud/model/spot.ts'
import { runAnalysis } from '../run.ts'
import { buildContext, seedFixtureContext, TEST_NOW, TEST_SEED, testCatalog } from '../testing.ts'
import { costAgent } from './cost.ts'
import { BYTES_PER_TOKEN, MESSAGE_OVERHEAD_BYTES } from '../../cloud/model/wire.ts'

// Expected values are computed here from catalog entries and the spot model, never copied from the agent:
// | fixture            | fleet                                   | expectation                          |
// | seed spot          | 2× p4d.24xlarge on-demand, 70B, 45 rps  | spot, split with p4de, > $10K/month  |
// | latency-critical   | 4× p4d on-demand                        | 1 on-demand floor + 3 spot           |
// | never spot (AWS)   | 3× p5.4xlarge (no spot market)          | 1y reserved, estimate-flagged        |
// | GCP 70B            | 2× a2-highgpu-8g                        | cross-cloud to AWS counting egress   |
// | 8B on 8×A100-80GB  | 2× p4de.24xlarge, 20 rps                | right-size to a cheaper type         |

const entry = (cloud: 'aws' | 'gcp', type: string) => findInstanceType(testCatalog(), cloud, type)!
const spot = (type: string) => spotPriceAt(entry('aws', type), new Date(TEST_NOW), TEST_SEED)
const drafts = async (ctx: ReturnType<typeof buildContext>) => (await runAnalysis(costAgent, ctx)).drafts
const ofType = async (ctx: ReturnType<typeof buildContext>, type: string) => (await drafts(ctx)).find((d) => d.type === type)

describe('cost agent: spot migration', () => {
  it('moves the seed fixture to spot, diversified over p4d and p4de, saving what the price list says', async () => {
    const d = (await ofType(seedFixtureContext(), 'spot_migration'))!
    const before = 2 * entry('aws', 'p4d.24xlarge').onDemandHourlyUsd * HOURS_PER_MONTH
    const after = (spot('p4d.24xlarge') + spot('p4de.24xlarge')) * HOURS_PER_MONTH
    expect(d.predicted.monthlyCostUsdBefore).toBeCloseTo(before, 1)
    expect(d.predicted.monthlyCostUsdAfter).toBeCloseTo(after, 1)
    expect(d.estimatedMonthlySavingsUsd).toBeCloseTo(before - after, 1)
    expect(d.estimatedMonthlySavingsUsd).toBeGreaterThan(10_000)
    expect(['low', 'medium']).toContain(d.riskLevel)
    expect(d.riskReasons.join(' ')).toContain('10-15%')
    expect(d.plan.pools.map((p) => [p.instanceType, p.pricing, p.count])).toEqual([['p4d.24xlarge', 'spot', 1], ['p4de.24xlarge', 'spot', 1]])
    expect(d.evidence.source).toBe('model')
    expect(d.plan.config).toEqual(seedFixtureContext().fleet.deployments[0]!.stable.config)
  })

  it('keeps an on-demand floor for a latency-critical deployment', async () => {
    const ctx = buildContext([{ id: 'lc', model: 'llama-3-70b', instanceType: 'p4d.24xlarge', count: 4, rps: 90, latencyCritical: true }])
    const d = (await ofType(ctx, 'spot_migration'))!
    const od = d.plan.pools.filter((p) => p.pricing === 'on-demand').reduce((s, p) => s + p.count, 0)
    const sp = d.plan.pools.filter((p) => p.pricing === 'spot').reduce((s, p) => s + p.count, 0)
    expect([od, sp]).toEqual([1, 3])
    const after = (entry('aws', 'p4d.24xlarge').onDemandHourlyUsd + 2 * spot('p4d.24xlarge') + spot('p4de.24xlarge')) * HOURS_PER_MONTH
    expect(d.predicted.monthlyCostUsdAfter).toBeCloseTo(after, 1)
    expect(d.riskReasons.some((r) => r.includes('latency-critical'))).toBe(true)
  })

  it('uses telemetry when present and says so', async () => {
    const signals = { 'vllm-prod-1': { p95LatencyMs: 1600, p99LatencyMs: 2400, errorRate: 0.0005, throughputRps: 45, kvCacheUsage: 0.1, gpuUtilization: 0.95, queueDepth: 0, preemptionsPerSec: 0, samples: 20 } }
    const ctx = buildContext([{ id: 'vllm-prod-1', model: 'llama-3-70b', instanceType: 'p4d.24xlarge', count: 2, rps: 45 }], { signals })
    const d = (await ofType(ctx, 'spot_migration'))!
    expect(d.evidence.source).toBe('telemetry')
    expect(d.predicted.p95LatencyMsBefore).toBe(1600)
    expect(d.confidence).toBeGreaterThan((await ofType(seedFixtureContext(), 'spot_migration'))!.confidence)
  })

  it('proposes no spot where the customer forbids it or the type has no spot market', async () => {
    const ctx = buildContext([{ id: 'vllm-prod-1', model: 'llama-3-70b', instanceType: 'p4d.24xlarge', count: 2, rps: 45 }], { preferences: { never_spot_deployments: ['vllm-prod-1'] } })
    expect(await ofType(ctx, 'spot_migration')).toBeUndefined()
    expect(await ofType(buildContext([{ id: 'h', model: 'llama-3-8b', instanceType: 'p5.4xlarge', count: 3, rps: 30 }]), 'spot_migration')).toBeUndefined()
  })
})

describe('cost agent: reserved capacity', () => {
  it('commits the instances the daily trough needs for 1 year, flagged as an estimate on AWS', async () => {
    const ctx = buildContext([{ id: 'h', model: 'llama-3-8b', instanceType: 'p5.4xlarge', count: 3, rps: 30, amplitude: 0.3, traffic: { promptTokensMean: 512, outputTokensMean: 256, prefixShare: 0.2 } }])
    const d = (await ofType(ctx, 'reserved_capacity'))!
    const e = entry('aws', 'p5.4xlarge')
    const c = commitmentFor(e, '1y')
    expect(c.estimate).toBe(true)
    const reserved = d.plan.pools.find((p) => p.pricing === 'reserved')!
    expect(d.estimatedMonthlySavingsUsd).toBeCloseTo(reserved.count * e.onDemandHourlyUsd * c.discount * HOURS_PER_MONTH, 1)
    expect(d.plan.pools.reduce((s, p) => s + p.count, 0)).toBe(3)
    expect(d.riskReasons.join(' ')).toMatch(/estimate/)
    expect(d.evidence.commitment_is_estimate).toBe(true)
  })
})

describe('cost agent: placement', () => {
  it('right-sizes an 8B model off 8×A100-80GB onto a cheaper type that meets the SLO at peak', async () => {
    const ctx = buildContext([{ id: 'r8', model: 'llama-3-8b', instanceType: 'p4de.24xlarge', count: 2, rps: 20, amplitude: 0.3 }])
    const d = (await ofType(ctx, 'instance_rightsizing'))!
    const pool = d.plan.pools[0]!
    const after = entry('aws', pool.instanceType).onDemandHourlyUsd * pool.count * HOURS_PER_MONTH
    expect(d.predicted.monthlyCostUsdAfter).toBeCloseTo(after, 1)
    expect(d.estimatedMonthlySavingsUsd).toBeCloseTo(2 * entry('aws', 'p4de.24xlarge').onDemandHourlyUsd * HOURS_PER_MONTH - after, 1)
    expect(pool.count).toBeGreaterThanOrEqual(2)
    const slo = ctx.fleet.deployments[0]!.slo
    expect(d.evidence.peak_p95_ms as number).toBeLessThanOrEqual(slo.p95Ms)
  })

  it('moves a GCP 70B deployment to AWS when it is cheaper after egress', async () => {
    const ctx = buildContext([{ id: 'g70', model: 'llama-3-70b', cloud: 'gcp', instanceType: 'a2-highgpu-8g', count: 2, rps: 30 }])
    const d = (await ofType(ctx, 'cross_cloud_migration'))!
    const pool = d.plan.pools[0]!
    expect(pool.cloud).toBe('aws')
    const t = ctx.fleet.deployments[0]!.traffic
    const requests = t.baseRps * 3600 * HOURS_PER_MONTH
    const egress = (requests * (t.promptTokensMean * BYTES_PER_TOKEN + MESSAGE_OVERHEAD_BYTES) / 1e9) * testCatalog().egressUsdPerGb.gcp
      + (requests * (t.outputTokensMean * BYTES_PER_TOKEN + MESSAGE_OVERHEAD_BYTES) / 1e9) * testCatalog().egressUsdPerGb.aws
    const compute = entry('aws', pool.instanceType).onDemandHourlyUsd * pool.count * HOURS_PER_MONTH
    expect(d.evidence.egress_monthly_usd as number).toBeCloseTo(egress, 6)
    expect(d.predicted.monthlyCostUsdAfter).toBeCloseTo(compute + egress, 1)
    expect(d.estimatedMonthlySavingsUsd).toBeCloseTo(2 * entry('gcp', 'a2-highgpu-8g').onDemandHourlyUsd * HOURS_PER_MONTH - compute - egress, 1)
    expect(d.riskLevel).not.toBe('low')
  })

  it('does not dress a consolidation up as a right-sizing or a cloud move', async () => {
    // 8B on H100s with 92% of capacity idle: dropping instances of the same type is the saving (resource agent).
    const ctx = buildContext([{ id: 'chat-8b', model: 'llama-3.1-8b', instanceType: 'p5.4xlarge', count: 4, rps: 20, traffic: { promptTokensMean: 512, outputTokensMean: 256, prefixShare: 0.2 } }])
    const types = (await drafts(ctx)).map((d) => d.type)
    expect(types).not.toContain('cross_cloud_migration')
    expect(types).not.toContain('instance_rightsizing')
  })
})

describe('cost agent as validator', () => {
  it('has no veto, but prices the change when asked', async () => {
    const ctx = seedFixtureContext()
    const d = (await ofType(ctx, 'spot_migration'))!
    const rec = { ...d, id: 'x', agentType: 'resource' as const, type: 'consolidation' as const }
    expect(costAgent.validates(rec)).toBe(false)
    expect((await costAgent.validate(rec, ctx)).approved).toBe(true)
    const up = { ...rec, predicted: { ...rec.predicted, monthlyCostUsdAfter: rec.predicted.monthlyCostUsdBefore + 100 } }
    expect((await costAgent.validate(up, ctx)).approved).toBe(false)
  })
})
