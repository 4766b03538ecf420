import { describe, expect, it } from 'vitest'
import { trafficRpsAt } from '../cloud/model/serving.ts'
import { fitDailyShape, MIN_HOURS_FOR_SHAPE } from './daily-shape.ts'

const DAY = Date.parse('2026-03-02T00:00:00Z')
const truth = { baseRps: 12, dailyAmplitude: 0.42, peakHourUtc: 19.5, promptTokensMean: 512, outputTokensMean: 128, prefixShare: 0.2 }

/** One hour's mean rate as telemetry's hourly bucket reports it (the mean of per-minute rates). */
function hourly(h: number, t = truth): { at: string; rps: number } {
  let sum = 0
  for (let m = 0; m < 60; m++) sum += trafficRpsAt(t, new Date(DAY + h * 3_600_000 + (m + 0.5) * 60_000))
  return { at: new Date(DAY + h * 3_600_000).toISOString(), rps: sum / 60 }
}

describe('the day\'s shape learned from hourly request rates', () => {
  it('recovers the mean, the swing and the peak hour of a day of telemetry', () => {
    const s = fitDailyShape(Array.from({ length: 24 }, (_, h) => hourly(h)))!
    expect(s.meanRps).toBeCloseTo(12, 3)
    // an hour's mean flattens a 24-hour cosine by sin(π/24)/(π/24): 0.3%
    expect(s.dailyAmplitude).toBeCloseTo(0.42 * 0.9971, 3)
    expect(s.peakHourUtc).toBeCloseTo(19.5, 1)
    expect(s.hours).toBe(24)
  })

  it('needs most of a day, and fits through the hours it has (a peak across midnight, four hours missing)', () => {
    const acrossMidnight = { ...truth, peakHourUtc: 23.25, dailyAmplitude: 0.2 }
    const gappy = Array.from({ length: 24 }, (_, h) => hourly(h, acrossMidnight)).filter((_, h) => ![3, 4, 11, 17].includes(h))
    const s = fitDailyShape(gappy)!
    expect(s.hours).toBe(MIN_HOURS_FOR_SHAPE)
    expect(s.peakHourUtc).toBeCloseTo(23.25, 1)
    expect(s.dailyAmplitude).toBeCloseTo(0.2, 2)
    expect(fitDailyShape(gappy.slice(1))).toBeNull()
    expect(fitDailyShape([])).toBeNull()
  })

  it('learns a flat day as no swing, and no day at all from a fleet with no traffic', () => {
    const flat = fitDailyShape(Array.from({ length: 24 }, (_, h) => ({ at: new Date(DAY + h * 3_600_000).toISOString(), rps: 5 })))!
    expect(flat.dailyAmplitude).toBeCloseTo(0, 9)
    expect(flat.meanRps).toBeCloseTo(5, 9)
    expect(fitDailyShape(Array.from({ length: 24 }, (_, h) => ({ at: new Date(DAY + h * 3_600_000).toISOString(), rps: 0 })))).toBeNull()
  })
})
