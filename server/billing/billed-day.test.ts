import { describe, expect, it } from 'vitest'
import { lastWholeDay } from './billed-day.ts'

const d = (s: string) => new Date(s)

describe('the last whole day the imported bill covers', () => {
  it('is the UTC day before the coverage ends, when the coverage holds all of it', () => {
    expect(lastWholeDay({ from: d('2026-06-01T05:00:00Z'), to: d('2026-06-03T01:00:00Z') })).toEqual({ from: d('2026-06-02T00:00:00Z'), to: d('2026-06-03T00:00:00Z') })
    // coverage ending exactly at midnight: the day just ended is whole
    expect(lastWholeDay({ from: d('2026-06-01T00:00:00Z'), to: d('2026-06-02T00:00:00Z') })).toEqual({ from: d('2026-06-01T00:00:00Z'), to: d('2026-06-02T00:00:00Z') })
  })

  it('is none while the bills cover no whole day, or there are none', () => {
    expect(lastWholeDay({ from: d('2026-06-01T05:00:00Z'), to: d('2026-06-02T04:00:00Z') })).toBeNull()
    expect(lastWholeDay(null)).toBeNull()
  })
})
