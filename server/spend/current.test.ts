import { describe, expect, it } from 'vitest'
import { chooseSpend } from './current.ts'

const day = { day: '2026-06-02', effective_cost: 240, monthly_rate: 7300 }

describe('current spend', () => {
  it('is the provider\'s run-rate while the provider runs or bills the fleet, with the billed day beside it', () => {
    expect(chooseSpend(5000, true, day)).toEqual({ usd: 5000, source: 'provider_run_rate', billedDay: day })
    // instances just terminated still bill for the trailing hour
    expect(chooseSpend(12, false, day)).toMatchObject({ usd: 12, source: 'provider_run_rate' })
  })

  it('is the last whole day of imported bill for a fleet the provider does not run, and nothing before any bill', () => {
    expect(chooseSpend(0, false, day)).toEqual({ usd: 7300, source: 'imported_bill', billedDay: day })
    expect(chooseSpend(0, false, null)).toEqual({ usd: 0, source: null, billedDay: null })
  })
})
