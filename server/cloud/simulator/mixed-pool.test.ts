import { describe, expect, it } from 'vitest'
import { serve, vllmDefaultsFor, type GroupLoad } from '../model/serving.ts'
import { MODELS } from '../model/models.ts'
import { poolsOf, serveGroup } from './mixed-pool.ts'

const model = Object.values(MODELS).find((m) => m.paramsB >= 60 && m.family === 'llama')!
const config = { ...vllmDefaultsFor('A100-40GB'), tensorParallelSize: 8 }
const load: GroupLoad = { gpuType: 'A100-40GB', gpusPerInstance: 8, instances: 2, rps: 20, promptTokensMean: 256, outputTokensMean: 48, prefixShare: 0.5 }

describe('mixed-type serving groups', () => {
  it('serves a one-type group exactly like the serving model', () => {
    const pools = poolsOf([{ gpu_type: 'A100-40GB', gpu_count: 8 }, { gpu_type: 'A100-40GB', gpu_count: 8 }])
    expect(pools).toEqual([{ gpuType: 'A100-40GB', gpusPerInstance: 8, instances: 2 }])
    expect(serveGroup(model, config, pools, load)).toEqual(serve(model, config, load))
  })

  it('adds the capacities of a diversified group and splits traffic by capacity', () => {
    const pools = poolsOf([{ gpu_type: 'A100-40GB', gpu_count: 8 }, { gpu_type: 'A100-80GB', gpu_count: 8 }])
    const mixed = serveGroup(model, config, pools, load)
    const a = serve(model, config, { ...load, ...pools[0]!, rps: 0 }).maxRpsCapacity
    const b = serve(model, config, { ...load, ...pools[1]!, rps: 0 }).maxRpsCapacity
    expect(mixed.maxRpsCapacity).toBeCloseTo(a + b, 6)
    expect(mixed.saturation).toBeCloseTo(load.rps / (a + b), 6)
    expect(mixed.throughputRps).toBeCloseTo(load.rps, 1)
    const slowestP95 = Math.max(...pools.map((p, i) => serve(model, config, { ...load, ...p, rps: load.rps * [a, b][i]! / (a + b) }).e2eMs.p95))
    expect(mixed.e2eMs.p95).toBeCloseTo(slowestP95, 6)
  })
})
