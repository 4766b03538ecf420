/**
 * A deployment's day, learned from a day of hourly request rates: the mean rate, how far the day
 * swings around it and the hour it peaks, as the traffic model states them (a 24-hour cosine,
 * `trafficRpsAt`). Fitted by least squares on rps = c₀ + c₁·cos ωh + c₂·sin ωh, so missing
 * hours cost precision, not bias. Pure.
 */
import { Matrix, solve } from 'ml-matrix'
import type { HourlyRate } from './agent.ts'

/** Hours of a day the telemetry must cover before its shape is trusted over the registration. */
export const MIN_HOURS_FOR_SHAPE = 20
/** A swing beyond this would put the trough at (or under) zero: the cosine no longer describes the day. */
const MAX_AMPLITUDE = 0.95
const HOUR_MS = 3_600_000
const OMEGA = (2 * Math.PI) / 24

/** The day's shape in the traffic model's terms. */
export interface DailyShape { meanRps: number; dailyAmplitude: number; peakHourUtc: number; hours: number }

/** Hour of day (UTC, fractional) at the middle of the hour starting at `at`. */
function hourOfDay(at: string): number {
  return ((Date.parse(at) + HOUR_MS / 2) % 86_400_000) / HOUR_MS
}

/** The day's shape from hourly rates; null with fewer than MIN_HOURS_FOR_SHAPE distinct hours or no traffic. */
export function fitDailyShape(points: HourlyRate[]): DailyShape | null {
  const usable = points.filter((p) => Number.isFinite(p.rps) && p.rps >= 0 && Number.isFinite(Date.parse(p.at)))
  const hours = new Set(usable.map((p) => Math.floor(hourOfDay(p.at))))
  if (hours.size < MIN_HOURS_FOR_SHAPE) return null
  const X = new Matrix(usable.map((p) => [1, Math.cos(OMEGA * hourOfDay(p.at)), Math.sin(OMEGA * hourOfDay(p.at))]))
  const y = Matrix.columnVector(usable.map((p) => p.rps))
  const [c0, c1, c2] = solve(X, y).to1DArray() as [number, number, number]
  if (!(c0 > 0)) return null
  const swing = Math.hypot(c1, c2)
  const peak = (((Math.atan2(c2, c1) / OMEGA) % 24) + 24) % 24
  return { meanRps: c0, dailyAmplitude: Math.min(MAX_AMPLITUDE, swing / c0), peakHourUtc: Number(peak.toFixed(2)), hours: hours.size }
}
