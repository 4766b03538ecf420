/**
 * Quality model against peers §5.2.
 *
 * | Change                        | Published                                   | Asserted (relative loss)      |
 * |-------------------------------|---------------------------------------------|-------------------------------|
 * | FP8 W8A8                      | effectively lossless (Kurtic et al.)        | < 0.5 pt absolute             |
 * | INT8 W8A8                     | 1–3% drop                                   | 1–3% at 2K context            |
 * | INT4 W4A16, short context     | competitive with INT8                       | ≤ 3% at 2K                    |
 * | INT4, long context            | up to −59%; Llama-3.1-70B −32%, Qwen robust | 32K loss > 2K; llama ≫ qwen   |
 * | 8-bit at 64K                  | ≈ −0.8%                                     | FP8 loss at 64K < 1.2%        |
 * | FP8 KV cache                  | Qwen3-235B 4.74 → 4.71 (−0.6%)              | 0.2–1%                        |
 */
import { describe, expect, it } from 'vitest'
import { accuracy, baselineAccuracy } from './quality.ts'
import { defaultEngineConfig, type EngineConfig, type ModelSpec } from './serving.ts'
import { MODELS } from './models.ts'

const llama8 = MODELS['llama-3.1-8b']
const llama70 = MODELS['llama-3.1-70b']
const qwen72 = MODELS['qwen2.5-72b']
const q = (quantization: EngineConfig['quantization'], kvCacheDtype: EngineConfig['kvCacheDtype'] = 'auto'): EngineConfig =>
  ({ ...defaultEngineConfig, quantization, kvCacheDtype })
const relLoss = (model: ModelSpec, config: EngineConfig, contextTokens?: number) =>
  1 - accuracy(model, config, contextTokens === undefined ? {} : { contextTokens }) / accuracy(model, q('none'))

describe('accuracy', () => {
  it('starts from a size-driven baseline: 8B ≈ 0.80, 70B ≈ 0.90, clamped for tiny and huge models', () => {
    expect(baselineAccuracy(llama8)).toBeCloseTo(0.8, 2)
    expect(baselineAccuracy(llama70)).toBeCloseTo(0.9, 2)
    expect(baselineAccuracy({ ...llama8, paramsB: 0.01 })).toBe(0.55)
    expect(baselineAccuracy({ ...llama8, paramsB: 405 })).toBe(0.95)
  })

  it('treats FP8 weights as lossless (< 0.5 pt)', () => {
    for (const model of [llama8, llama70, qwen72]) {
      expect(accuracy(model, q('none')) - accuracy(model, q('fp8'))).toBeLessThan(0.005)
    }
  })

  it('charges INT8 the published 1–3% and FP8 KV cache a small loss', () => {
    expect(relLoss(llama70, q('int8'))).toBeGreaterThanOrEqual(0.01)
    expect(relLoss(llama70, q('int8'))).toBeLessThanOrEqual(0.03)
    expect(relLoss(llama70, q('none', 'fp8'))).toBeGreaterThan(0.002)
    expect(relLoss(llama70, q('none', 'fp8'))).toBeLessThan(0.01)
  })

  it('makes INT4 worse at 32K than at 2K context, and worse for Llama than for Qwen', () => {
    expect(relLoss(llama70, q('int4'), 2048)).toBeLessThanOrEqual(0.03)
    expect(relLoss(llama70, q('int4'), 32_768)).toBeGreaterThan(relLoss(llama70, q('int4'), 2048) + 0.1)
    expect(relLoss(llama70, q('int4'), 65_536)).toBeCloseTo(0.32, 2)
    expect(relLoss(qwen72, q('int4'), 65_536)).toBeLessThan(0.06)
  })

  it('keeps 8-bit weights under ~1% loss even at 64K context', () => {
    expect(relLoss(llama70, q('fp8'), 65_536)).toBeLessThan(0.012)
  })

  it('subtracts an injected degradation fault and stays within [0, 1]', () => {
    const base = accuracy(llama8, q('none'))
    expect(accuracy(llama8, q('none'), { degradation: 0.25 })).toBeCloseTo(base - 0.25, 9)
    expect(accuracy(llama8, q('int4'), { degradation: 2 })).toBe(0)
  })

  it('applies no FP8 effect where serving falls back to FP16 (Ampere)', () => {
    expect(accuracy(llama70, q('fp8'), { gpuType: 'A100-80GB' })).toBe(accuracy(llama70, q('none')))
    expect(accuracy(llama70, q('fp8'), { gpuType: 'H100' })).toBeLessThan(accuracy(llama70, q('none')))
  })
})
