import { describe, expect, it } from 'vitest'
import { normalQuantile, pairsNeeded, requiredStandardisedEffect, samplesNeeded } from './sample-size.ts'

describe('sample size from power', () => {
  it('has the standard normal quantiles of the tables', () => {
    expect(normalQuantile(0.95)).toBeCloseTo(1.6448536, 6)
    expect(normalQuantile(0.8)).toBeCloseTo(0.8416212, 6)
    expect(normalQuantile(0.025)).toBeCloseTo(-1.959964, 6)
  })
  it('solves s²/2 − z·s = ln(1/α) + ½ ln(1 + s²)', () => {
    const s = requiredStandardisedEffect(0.05, 0.8)
    const z = normalQuantile(0.8)
    expect(s * s / 2 - z * s).toBeCloseTo(Math.log(20) + 0.5 * Math.log(1 + s * s), 8)
  })
  it('grows with the variance and with the square of the inverse distance', () => {
    expect(samplesNeeded(0.01, 0.04, 0.05)).toBeGreaterThan(samplesNeeded(0.01, 0.02, 0.05))
    const ratio = samplesNeeded(0.005, 0.04, 0.05) / samplesNeeded(0.01, 0.04, 0.05)
    expect(ratio).toBeCloseTo(4, 1)
  })
  it('asks more prompts for a tighter tolerance, more discordance or more power', () => {
    const base = { toleratedDrop: 0.01, discordance: 0.04, alpha: 0.05 }
    expect(pairsNeeded({ ...base, toleratedDrop: 0.02 })).toBeLessThan(pairsNeeded(base))
    expect(pairsNeeded({ ...base, discordance: 0.1 })).toBeGreaterThan(pairsNeeded(base))
    expect(pairsNeeded({ ...base, power: 0.95 })).toBeGreaterThan(pairsNeeded(base))
  })
})
