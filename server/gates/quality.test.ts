import { describe, expect, it } from 'vitest'
import { judgeQuality, pairOutcome, DEFAULT_QUALITY_GATE } from './quality.ts'

const outcomes = (n: number, plusEvery: number | null, minusEvery: number | null = null) =>
  Array.from({ length: n }, (_, i) => (plusEvery && i % plusEvery === 0 ? '+' : minusEvery && i % minusEvery === 1 ? '-' : '0')).join('')

describe('paired quality gate', () => {
  it('codes a pair by who alone was right', () => {
    expect([pairOutcome(true, false), pairOutcome(false, true), pairOutcome(true, true), pairOutcome(false, false)]).toEqual(['+', '-', '0', '0'])
  })
  it('is inconclusive with no pairs', () => expect(judgeQuality('').verdict).toBe('inconclusive'))
  it('fails an 8 pp drop well before the eval set runs out', () => {
    const v = judgeQuality(outcomes(200, 12))
    expect(v.verdict).toBe('failed')
    expect(v.lower!).toBeGreaterThan(DEFAULT_QUALITY_GATE.toleratedDrop)
  })
  it('passes identical answers only once enough pairs bound the drop under 1 pp', () => {
    expect(judgeQuality(outcomes(150, null)).verdict).toBe('inconclusive')
    const v = judgeQuality(outcomes(600, null))
    expect(v.verdict).toBe('successful')
    expect(v.upper!).toBeLessThan(DEFAULT_QUALITY_GATE.toleratedDrop)
  })
  it('stays inconclusive on a drop near the tolerance and says how many pairs it needs', () => {
    const v = judgeQuality(outcomes(400, 100))
    expect(v.verdict).toBe('inconclusive')
    expect(v.needs!).toBeGreaterThan(400)
  })
})
