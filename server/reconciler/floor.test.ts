import { describe, expect, it } from 'vitest'
import { MODELS } from '../cloud/model/models.ts'
import { vllmDefaultsFor } from '../cloud/model/serving.ts'
import type { FleetDeployment, PriceQuote } from '../cloud/provider.ts'
import type { IntendedPool } from './drift.ts'
import { onDemandFloor } from './floor.ts'

const d = {
  id: 'd', model: MODELS['llama-3-8b'], stable: { instanceIds: [], config: vllmDefaultsFor('A10G') },
  traffic: { baseRps: 1, dailyAmplitude: 0.3, peakHourUtc: 15, promptTokensMean: 512, outputTokensMean: 128, prefixShare: 0.2 },
} as unknown as FleetDeployment
const pools: IntendedPool[] = [{ cloud: 'aws', region: 'us-east-1', instanceType: 'g5.xlarge', pricing: 'spot', count: 8 }]
const quotes: PriceQuote[] = [{ cloud: 'aws', region: 'us-east-1', instanceType: 'g5.xlarge', gpuType: 'A10G', gpuCount: 1, onDemandHourlyUsd: 1, spotHourlyUsd: 0.4 }]

/** The workload the agents learned: `rps` mean rate, GPUs at `efficiency` of their spec sheet. */
const learned = (rps: number, efficiency = 1, promptTokensMean = 512) => ({ e2eP95Ms: 30_000, workload: { ...d.traffic, baseRps: rps, promptTokensMean, efficiency } })

describe('on-demand floor', () => {
  it('is the fewest on-demand instances serving the average load within the SLO, at least one', () => {
    const light = onDemandFloor(d, pools, quotes, learned(0.5), null)
    const heavy = onDemandFloor(d, pools, quotes, learned(12), null)
    expect(light).toBe(1)
    expect(heavy).toBeGreaterThan(light)
    expect(heavy).toBeLessThanOrEqual(8)
    expect(onDemandFloor(d, pools, quotes, { ...learned(0.5), e2eP95Ms: 1 }, null)).toBe(8) // an SLO nothing meets: everything on-demand
  })

  it('sizes on what telemetry taught: slower GPUs or longer prompts than registered need a larger floor', () => {
    const asRegistered = onDemandFloor(d, pools, quotes, learned(8), null)
    expect(onDemandFloor(d, pools, quotes, learned(8, 0.6), null)).toBeGreaterThan(asRegistered)
    expect(onDemandFloor(d, pools, quotes, learned(8, 1, 2048), null)).toBeGreaterThan(asRegistered)
  })

  it('follows the operator when set, within the deployment size, and is one without a price for the type', () => {
    expect(onDemandFloor(d, pools, quotes, learned(12), 2)).toBe(2)
    expect(onDemandFloor(d, pools, quotes, learned(12), 20)).toBe(8)
    expect(onDemandFloor(d, pools, quotes, learned(12), 0)).toBe(0)
    expect(onDemandFloor(d, pools, [], learned(12), null)).toBe(1)
  })
})
