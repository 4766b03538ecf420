import { describe, expect, it } from 'vitest'
import { manualClock, scaledClock } from './clock.ts'

describe('clocks', () => {
  it('runs a scaled clock `scale` times faster than the wall clock', () => {
    let wall = 1_000
    const clock = scaledClock(600, new Date('2026-01-01T00:00:00Z'), () => wall)
    wall += 1_000
    expect(clock.now().toISOString()).toBe('2026-01-01T00:10:00.000Z')
  })
  it('refuses a non-positive scale', () => {
    expect(() => scaledClock(0)).toThrow(RangeError)
  })
  it('advances a manual clock only when told, and on sleep', async () => {
    const clock = manualClock(new Date('2026-01-01T00:00:00Z'))
    clock.advance(60_000)
    await clock.sleep(30_000)
    expect(clock.now().toISOString()).toBe('2026-01-01T00:01:30.000Z')
  })
})
