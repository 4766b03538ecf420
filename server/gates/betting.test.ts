import { describe, expect, it } from 'vitest'
import { Sampler } from '../generator/distributions.ts'
import { confidenceSequence, newBet, nextBets, observe, observeAll, rejected } from './betting.ts'

describe('betting e-process (Waudby-Smith & Ramdas 2023, aGRAPA bets)', () => {
  it('bets nothing on the first observation at m = ½ and then the hand-computed aGRAPA fraction', () => {
    // prior μ̂ = ½, σ̂² = ¼: g = 0. After x₁ = 1: μ̂ = 1.5/2 = 0.75, σ̂² = (¼ + (1 − ½)²)/2 = ¼, g = 0.25/(0.25 + 0.0625) = 0.8
    const s0 = newBet(0.5)
    expect(nextBets(s0)).toEqual({ up: 0, down: 0 })
    const s1 = observe(s0, 1)
    expect(s1.logUp).toBe(0)
    expect(nextBets(s1).up).toBeCloseTo(0.8, 12)
    expect(observe(s1, 1).logUp).toBeCloseTo(Math.log(1.4), 12)
  })
  it('truncates the bet at c/m so wealth stays positive', () => {
    // all ones against m = 0.9: the plug-in wants g ≈ 1/(μ̂ − m) ≈ 10, more than c/m = 0.75/0.9
    const s = observeAll(newBet(0.9), Array(20).fill(1))
    expect(nextBets(s).up).toBeCloseTo(0.75 / 0.9, 12)
    expect(Number.isFinite(observe(s, 0).logUp)).toBe(true)
  })
  it('keeps the chance of ever rejecting the true mean under α, looking after every observation (seeded simulation)', () => {
    const rng = new Sampler(12)
    const runs = 2000
    let rejections = 0
    for (let r = 0; r < runs; r++) {
      let s = newBet(0.3)
      for (let t = 0; t < 400; t++) s = observe(s, rng.fast() < 0.3 ? 1 : 0)
      if (rejected(s, 0.05) !== null) rejections++
    }
    // each side is a level-0.05 test; both together at most 0.10
    expect(rejections / runs).toBeLessThan(0.1)
  })
  it('rejects a mean that is clearly wrong, on the right side', () => {
    const xs = Array.from({ length: 300 }, (_, i) => (i % 10 < 3 ? 1 : 0))
    expect(rejected(observeAll(newBet(0.5), xs), 0.05)).toBe('below')
    expect(rejected(observeAll(newBet(0.1), xs), 0.05)).toBe('above')
  })
  it('gives a confidence sequence around the sample mean whose edges agree with the tests', () => {
    const xs = Array.from({ length: 300 }, (_, i) => (i % 10 < 3 ? 1 : 0))
    const cs = confidenceSequence(xs, 0.05)
    expect(cs.lower).toBeLessThan(0.3)
    expect(cs.upper).toBeGreaterThan(0.3)
    expect(rejected(observeAll(newBet(cs.lower - 0.01), xs), 0.05)).toBe('above')
    expect(rejected(observeAll(newBet(cs.upper + 0.01), xs), 0.05)).toBe('below')
    expect(rejected(observeAll(newBet((cs.lower + cs.upper) / 2), xs), 0.05)).toBeNull()
  })
  it('narrows as observations accumulate', () => {
    const xs = Array.from({ length: 1200 }, (_, i) => (i % 10 < 3 ? 1 : 0))
    const w = (n: number) => { const cs = confidenceSequence(xs.slice(0, n), 0.05); return cs.upper - cs.lower }
    expect(w(1200)).toBeLessThan(w(300))
    expect(w(300)).toBeLessThan(w(60))
  })
})
