import { describe, expect, it } from 'vitest'
import { HOURS_PER_MONTH } from '../../cloud/catalog/catalog.ts'
import type { Pricing } from '../../cloud/provider.ts'
import { runAnalysis } from '../run.ts'
import { buildContext, type DeploymentSpec } from '../testing.ts'
import { consolidatedMonthlyUsd } from '../cost/placement.ts'
import { deploymentState } from '../state.ts'
import { latencyBudget, meetsBudget, predictGroup, TARGET_PEAK_SATURATION, type Pool } from '../fleet.ts'
import { growPools } from './pools.ts'
import { resourceAgent } from './resource.ts'

const pool = (instanceType: string, pricing: Pricing, count: number, perInstance: number): Pool => ({
  cloud: 'aws', region: 'us-east-1', instanceType, pricing, count, gpuType: 'H100', gpuCount: 1, hourlyUsd: perInstance * count, instanceIds: [],
})
const counts = (pools: { instanceType: string; pricing: string; count: number }[]) => pools.map((p) => `${p.count} ${p.instanceType} ${p.pricing}`)

describe('replica counts over several pools', () => {
  const mixed = [pool('p5.4xlarge', 'on-demand', 2, 6.88), pool('p5.4xlarge', 'spot', 2, 2.9), pool('p5e.4xlarge', 'spot', 2, 3.1)]

  it('grows a latency-critical group on uninterruptible capacity and any other on its cheapest', () => {
    expect(counts(growPools(mixed, 8, true))).toEqual(['4 p5.4xlarge on-demand', '2 p5.4xlarge spot', '2 p5e.4xlarge spot'])
    expect(counts(growPools(mixed, 8, false))).toEqual(['2 p5.4xlarge on-demand', '4 p5.4xlarge spot', '2 p5e.4xlarge spot'])
  })
})

describe('consolidating a group that runs an on-demand floor beside spot over two types', () => {
  // | fleet                                                          | load       | expectation                                                  |
  // | 4× p5.4xlarge: 1 on-demand + 2 spot, 1 spot g6e.xlarge (L40S)  | 20 rps, 8B | 2 left: the on-demand floor and a p5 spot (an L40S beside    |
  // |                                                                |            | the floor misses the SLO at peak)                            |
  // | the same, not latency-critical                                 |            | 2 left, no on-demand: the dearest goes first                 |
  const IDLE: DeploymentSpec = { id: 'chat-8b', model: 'llama-3.1-8b', instanceType: 'p5.4xlarge', count: 4, rps: 20, amplitude: 0.3, latencyCritical: true, traffic: { promptTokensMean: 512, outputTokensMean: 256, prefixShare: 0.2 } }
  const SPOT_HOURLY = 2.5
  const L40S_HOURLY = 0.9

  function mixedContext(latencyCritical = true) {
    const ctx = buildContext([{ ...IDLE, latencyCritical }])
    const [, a, b, c] = ctx.fleet.instances
    for (const i of [a!, b!]) Object.assign(i, { pricing: 'spot', hourlyUsd: SPOT_HOURLY })
    Object.assign(c!, { pricing: 'spot', instanceType: 'g6e.xlarge', gpuType: 'L40S', gpuCount: 1, hourlyUsd: L40S_HOURLY })
    return ctx
  }

  it('consolidates to the availability floor, keeping the on-demand floor and the spot that can carry the peak, and prices what goes', async () => {
    const ctx = mixedContext()
    const state = deploymentState(ctx, ctx.fleet.deployments[0]!)
    const d = (await runAnalysis(resourceAgent, ctx)).drafts.find((x) => x.type === 'consolidation')!
    expect(counts(d.plan.pools)).toEqual(['1 p5.4xlarge on-demand', '1 p5.4xlarge spot'])
    expect(d.plan.summary).toBe('4 → 2: 1× p5.4xlarge on-demand + 1× p5.4xlarge spot')
    expect(d.estimatedMonthlySavingsUsd).toBeCloseTo((SPOT_HOURLY + L40S_HOURLY) * HOURS_PER_MONTH, 1)
    // the cheaper pair (the floor and the L40S) was tried and misses the SLO at the daily peak
    const dep = state.deployment
    const cheaper = predictGroup(dep.model, dep.stable.config, [{ gpuType: 'H100', gpuCount: 1, count: 1 }, { gpuType: 'L40S', gpuCount: 1, count: 1 }], state.rpsPeak, state.traffic)
    expect(meetsBudget(cheaper, latencyBudget(dep.slo, state.peak)) && cheaper.saturation <= TARGET_PEAK_SATURATION).toBe(false)
  })

  it('lets a deployment that is not latency-critical shed its on-demand instance first', async () => {
    const d = (await runAnalysis(resourceAgent, mixedContext(false))).drafts.find((x) => x.type === 'consolidation')!
    expect(d.plan.pools.reduce((s, p) => s + p.count, 0)).toBe(2)
    expect(d.plan.pools.filter((p) => p.pricing === 'on-demand')).toEqual([])
  })

  it('gives the cost agent the same bar, so that no type or cloud change claims the consolidation\'s savings', () => {
    const ctx = mixedContext()
    const state = deploymentState(ctx, ctx.fleet.deployments[0]!)
    expect(consolidatedMonthlyUsd(state)).toBeCloseTo(state.monthlyCostUsd - (SPOT_HOURLY + L40S_HOURLY) * HOURS_PER_MONTH, 1)
  })
})
