/**
 * Calibration and behaviour of the serving model.
 *
 * Expected figures (source → range asserted):
 * | Case                                                   | Source                                  | Asserted          |
 * |--------------------------------------------------------|-----------------------------------------|-------------------|
 * | FP8 W8A8 capacity vs FP16, H100 / L40S                 | vLLM docs "up to 1.6×" (peers §4.1)     | 1.4–1.8×          |
 * | FP8 on A100 (Ampere)                                   | peers §4.1: needs CC ≥ 8.9              | falls back, 1.0×  |
 * | Qwen3-4B on L4 KV tokens, auto / fp8 KV                | peers §4.1: 83,488 / 166,992            | ±3%               |
 * | FP8 KV decode speed-up at 2k / 8k / 16k / 32k context  | peers §4.1: +1 / +6 / +11 / +21 %       | ±4 pts            |
 * | Llama-3-70B FP16 on 1×A100-80GB                        | 141 GB weights > 72 GiB usable          | does not fit      |
 * | Llama-3-70B FP16 TP=8, 2×p4d / 2×p4de, 45 rps          | seed 001 fixture: p95 1.6 s, util ~0.75 | p95 1–5 s, sat<0.8|
 * | Llama-3-70B TP=4 on 4×H100, ShareGPT-like, 32 QPS      | vLLM v0.6.0 blog benchmark point        | sustainable       |
 * | Llama-3-8B on one L4 / A10G                            | 16 GB weights < 20 GiB usable           | fits, ITL 35–110ms|
 */
import { describe, expect, it } from 'vitest'
import { defaultEngineConfig, loadFromTraffic, serve, trafficRpsAt, vllmDefaultsFor, type EngineConfig, type GroupLoad, type ModelSpec, type TrafficProfile } from './serving.ts'
import { decodeStepMs, planReplica } from './engine.ts'
import { MODELS } from './models.ts'

const llama70 = MODELS['llama-3-70b']
const llama8 = MODELS['llama-3-8b']
const tp = (n: number, base: EngineConfig = defaultEngineConfig): EngineConfig => ({ ...base, tensorParallelSize: n })
/** Short-answer traffic that reproduces the seed fixture (2× p4d, 70B, 45 rps, p95 ≈ 1.6 s). */
const shortAnswers = { promptTokensMean: 256, outputTokensMean: 48, prefixShare: 0.5 }
const shareGpt = { promptTokensMean: 220, outputTokensMean: 200 }
const one = (gpuType: string, rps = 1): GroupLoad => ({ gpuType, gpusPerInstance: 1, instances: 1, rps })

function fp8Gain(model: ModelSpec, base: EngineConfig, load: GroupLoad): number {
  const fp16 = serve(model, base, load).maxRpsCapacity
  return serve(model, { ...base, quantization: 'fp8' }, load).maxRpsCapacity / fp16
}

describe('fit', () => {
  it('rejects Llama-3-70B FP16 on a single A100-80GB', () => {
    const s = serve(llama70, defaultEngineConfig, one('A100-80GB'))
    expect(s.fits).toBe(false)
    expect(s.errorRate).toBe(1)
    expect(s.warnings[0]).toMatch(/weights need 131\.\d GiB/)
  })

  it('fits Llama-3-70B FP16 with TP=8 on p4d (8×A100-40GB) and p4de (8×A100-80GB)', () => {
    for (const gpuType of ['A100-40GB', 'A100-80GB']) {
      expect(serve(llama70, tp(8), { gpuType, gpusPerInstance: 8, instances: 1, rps: 1 }).fits).toBe(true)
    }
  })

  it('fits Llama-3-8B on one L4 and one A10G with bandwidth-bound ITL', () => {
    for (const gpuType of ['L4', 'A10G']) {
      const s = serve(llama8, defaultEngineConfig, one(gpuType, 0.2))
      expect(s.fits).toBe(true)
      // roofline floor: 16 GB / (300 or 600 GB/s) = 53 or 27 ms, plus overhead and KV reads
      expect(s.itlMs.p50).toBeGreaterThan(35)
      expect(s.itlMs.p50).toBeLessThan(110)
    }
  })

  it('refuses a tensor-parallel size larger than the instance', () => {
    expect(serve(llama8, tp(2), one('H100')).fits).toBe(false)
  })
})

describe('calibration against published vLLM figures', () => {
  it('gives FP8 weights 1.4–1.8× capacity on H100 and L40S', () => {
    const cases: Array<[ModelSpec, EngineConfig, GroupLoad]> = [
      [llama8, vllmDefaultsFor('H100'), one('H100')],
      [llama70, tp(8, vllmDefaultsFor('H100')), { gpuType: 'H100', gpusPerInstance: 8, instances: 1, rps: 1 }],
      [llama70, tp(4, vllmDefaultsFor('L40S')), { gpuType: 'L40S', gpusPerInstance: 4, instances: 1, rps: 1 }],
    ]
    for (const [model, config, load] of cases) {
      const gain = fp8Gain(model, config, load)
      expect(gain).toBeGreaterThan(1.4)
      expect(gain).toBeLessThan(1.8)
    }
  })

  it('falls back to FP16 for FP8 weights on Ampere and says so', () => {
    const load: GroupLoad = { gpuType: 'A100-80GB', gpusPerInstance: 8, instances: 1, rps: 1 }
    const s = serve(llama70, { ...tp(8), quantization: 'fp8' }, load)
    expect(s.fits).toBe(true)
    expect(s.effectiveQuantization).toBe('none')
    expect(s.warnings.join()).toMatch(/fp8 weights unsupported on A100-80GB/)
    expect(fp8Gain(llama70, tp(8), load)).toBeCloseTo(1, 6)
  })

  it('sizes the KV cache like vLLM: Qwen3-4B on L4 holds ~83,488 tokens, ~166,992 with FP8 KV', () => {
    const auto = planReplica(MODELS['qwen3-4b'], defaultEngineConfig, 'L4', 1).kvCapacityTokens
    const fp8 = planReplica(MODELS['qwen3-4b'], { ...defaultEngineConfig, kvCacheDtype: 'fp8' }, 'L4', 1).kvCapacityTokens
    expect(Math.abs(auto / 83_488 - 1)).toBeLessThan(0.03)
    expect(Math.abs(fp8 / 166_992 - 1)).toBeLessThan(0.03)
  })

  it('speeds decode up with FP8 KV by +1/+6/+11/+21% at 2k/8k/16k/32k context', () => {
    const auto = planReplica(MODELS['qwen3-4b'], defaultEngineConfig, 'L4', 1)
    const fp8 = planReplica(MODELS['qwen3-4b'], { ...defaultEngineConfig, kvCacheDtype: 'fp8' }, 'L4', 1)
    const published: Array<[number, number]> = [[2048, 0.01], [8192, 0.06], [16384, 0.11], [32768, 0.21]]
    for (const [ctx, gain] of published) {
      const modelled = decodeStepMs(auto, 1, ctx) / decodeStepMs(fp8, 1, ctx) - 1
      expect(Math.abs(modelled - gain)).toBeLessThan(0.04)
    }
  })

  it('serves the seed fleet: 70B FP16 on 2× p4d or 2× p4de at 45 rps, p95 in seconds, not saturated', () => {
    for (const gpuType of ['A100-40GB', 'A100-80GB']) {
      const s = serve(llama70, tp(8), { gpuType, gpusPerInstance: 8, instances: 2, rps: 45, ...shortAnswers })
      expect(s.e2eMs.p95).toBeGreaterThan(1000)
      expect(s.e2eMs.p95).toBeLessThan(5000)
      expect(s.saturation).toBeLessThan(0.8)
      expect(s.errorRate).toBeLessThan(0.001)
      expect(s.throughputRps).toBeCloseTo(45, 0)
    }
  })

  it('needs five p4de for 45 rps of 512/256-token chat traffic (compute-bound)', () => {
    const chat = { promptTokensMean: 512, outputTokensMean: 256 }
    const at = (instances: number) => serve(llama70, tp(8), { gpuType: 'A100-80GB', gpusPerInstance: 8, instances, rps: 45, ...chat })
    expect(at(4).saturation).toBeGreaterThan(1)
    expect(at(5).saturation).toBeLessThan(0.9)
    expect(at(5).e2eMs.p95).toBeGreaterThan(2000)
    expect(at(5).e2eMs.p95).toBeLessThan(15_000)
  })

  it('sustains the vLLM v0.6.0 benchmark point: 70B on 4×H100 at 32 QPS of ShareGPT-like traffic', () => {
    const s = serve(llama70, tp(4, vllmDefaultsFor('H100')), { gpuType: 'H100', gpusPerInstance: 4, instances: 1, rps: 32, ...shareGpt })
    expect(s.saturation).toBeLessThan(1)
    expect(s.itlMs.p50).toBeGreaterThan(15)
    expect(s.itlMs.p50).toBeLessThan(60)
  })
})

describe('load response', () => {
  const group = (rps: number, _config: EngineConfig = tp(8), instances = 2): GroupLoad =>
    ({ gpuType: 'A100-80GB', gpusPerInstance: 8, instances, rps, ...shortAnswers })

  it('raises every latency percentile monotonically with load, through saturation', () => {
    const rates = [1, 10, 20, 40, 60, 80, 88, 92, 96, 100, 120, 200]
    const stats = rates.map((rps) => serve(llama70, tp(8), group(rps)))
    for (let i = 1; i < stats.length; i++) {
      const [prev, cur] = [stats[i - 1]!, stats[i]!]
      for (const p of ['p50', 'p95', 'p99'] as const) {
        expect(cur.e2eMs[p]).toBeGreaterThanOrEqual(prev.e2eMs[p])
        expect(cur.ttftMs[p]).toBeGreaterThanOrEqual(prev.ttftMs[p])
        expect(cur.queueMs[p]).toBeGreaterThanOrEqual(prev.queueMs[p])
        expect(cur.itlMs[p]).toBeGreaterThanOrEqual(prev.itlMs[p] - 1e-9)
      }
      expect(cur.errorRate).toBeGreaterThanOrEqual(prev.errorRate)
    }
  })

  it('sheds load past capacity: throughput capped, errors ≈ 1 − capacity/demand, queues at the time-out', () => {
    const cap = serve(llama70, tp(8), group(1)).maxRpsCapacity
    const s = serve(llama70, tp(8), group(2 * cap))
    expect(s.errorRate).toBeGreaterThan(0.45)
    expect(s.throughputRps).toBeLessThanOrEqual(cap * 1.001)
    expect(s.queueMs.p50).toBe(60_000)
    expect(s.warnings.join()).toMatch(/overloaded/)
  })

  it('trades ITL for queue time when max_num_seqs is tightened', () => {
    const loose = serve(llama70, tp(8), group(70))
    const tight = serve(llama70, { ...tp(8), maxNumSeqs: 32 }, group(70))
    expect(tight.saturation).toBeLessThan(1)
    expect(tight.itlMs.p95).toBeLessThan(loose.itlMs.p95)
    expect(tight.queueMs.p95).toBeGreaterThan(loose.queueMs.p95)
    expect(tight.maxRpsCapacity).toBeLessThan(loose.maxRpsCapacity)
  })

  it('lowers latency when instances are added', () => {
    const [two, three, four] = [2, 3, 4].map((n) => serve(llama70, tp(8), group(80, tp(8), n)))
    expect(three!.e2eMs.p95).toBeLessThan(two!.e2eMs.p95)
    expect(four!.e2eMs.p95).toBeLessThan(three!.e2eMs.p95)
    expect(four!.itlMs.p50).toBeLessThan(two!.itlMs.p50)
  })

  it('cuts prefill work and TTFT by the cached prefix share', () => {
    const load = (prefixShare: number): GroupLoad => ({ ...one('H100', 5), promptTokensMean: 4096, outputTokensMean: 128, prefixShare })
    const cold = serve(llama8, vllmDefaultsFor('H100'), load(0.8))
    const off = serve(llama8, { ...vllmDefaultsFor('H100'), enablePrefixCaching: false }, load(0.8))
    expect(cold.prefixCacheHitRate).toBeCloseTo(0.76, 2)
    expect(off.prefixCacheHitRate).toBe(0)
    expect(cold.ttftMs.p50 / off.ttftMs.p50).toBeGreaterThan(0.15)
    expect(cold.ttftMs.p50 / off.ttftMs.p50).toBeLessThan(0.45)
  })

  it('preempts and errs under KV pressure when the cache, not max_num_seqs, limits the batch', () => {
    const longChat = { ...one('L4'), promptTokensMean: 2000, outputTokensMean: 500 }
    const cap = serve(llama8, defaultEngineConfig, longChat).maxRpsCapacity
    const calm = serve(llama8, defaultEngineConfig, { ...longChat, rps: 0.3 * cap })
    const hot = serve(llama8, defaultEngineConfig, { ...longChat, rps: 0.96 * cap })
    expect(calm.preemptionsPerSec).toBe(0)
    expect(hot.kvCacheUsage).toBeGreaterThan(0.8)
    expect(hot.preemptionsPerSec).toBeGreaterThan(0)
    expect(hot.errorRate).toBeGreaterThan(calm.errorRate)
  })

  it('reports idle groups as idle and groups without instances as failing', () => {
    const idle = serve(llama8, vllmDefaultsFor('H100'), one('H100', 0))
    expect(idle.gpuUtilization).toBe(0)
    expect(idle.throughputRps).toBe(0)
    const none = serve(llama8, vllmDefaultsFor('H100'), { ...one('H100', 3), instances: 0 })
    expect(none.fits).toBe(true)
    expect(none.errorRate).toBe(1)
  })
})

describe('traffic', () => {
  const t: TrafficProfile = { baseRps: 40, dailyAmplitude: 0.5, peakHourUtc: 15, promptTokensMean: 300, outputTokensMean: 100, prefixShare: 0.4 }
  const hour = (h: number) => new Date(Date.UTC(2026, 10, 21, 0, 0) + h * 3_600_000)

  it('peaks at peakHourUtc, bottoms 12 h later and averages baseRps over a day', () => {
    expect(trafficRpsAt(t, hour(15))).toBeCloseTo(60, 9)
    expect(trafficRpsAt(t, hour(3))).toBeCloseTo(20, 9)
    const mean = Array.from({ length: 24 * 60 }, (_, m) => trafficRpsAt(t, hour(m / 60))).reduce((a, b) => a + b) / (24 * 60)
    expect(mean).toBeCloseTo(40, 6)
  })

  it('builds a group load carrying the request shape and traffic share', () => {
    const load = loadFromTraffic(t, hour(15), { gpuType: 'L4', gpusPerInstance: 1, instances: 2 }, 0.1)
    expect(load.rps).toBeCloseTo(6, 9)
    expect(load).toMatchObject({ promptTokensMean: 300, outputTokensMean: 100, prefixShare: 0.4 })
  })
})
