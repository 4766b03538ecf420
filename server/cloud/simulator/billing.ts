/**
 * The simulated bill: cost accrued per instance-second at the price actually paid (fixed for
 * on-demand/reserved, the hourly spot price for spot), from "running" to termination. Also the
 * run-rate (what the fleet costs per hour/month at an instant), from the same rows. Pure.
 */
import { HOURS_PER_MONTH, microsToUsd, usdToMicros, type Catalog } from '../catalog/catalog.ts'
import type { BillLine } from '../provider.ts'
import { entryOf, hourlyUsdAt, runningAt } from './instances.ts'
import { spotPriceAt } from '../model/spot.ts'
import type { InstanceRow } from './store.ts'

const HOUR_MS = 3_600_000

/** The part of [from, to) during which the instance ran (billing starts at "running", as on EC2). */
export function billedWindow(r: InstanceRow, from: Date, to: Date): { start: number; end: number } | null {
  const start = Math.max(r.ready_at.getTime(), from.getTime())
  const end = Math.min(r.terminated_at?.getTime() ?? Number.POSITIVE_INFINITY, to.getTime())
  return end > start ? { start, end } : null
}

/** Micro-dollars accrued by one instance over [start, end): spot is integrated hour by hour. */
export function accruedMicros(catalog: Catalog, r: InstanceRow, start: number, end: number, seed: number): number {
  if (r.hourly_micros !== null) return (r.hourly_micros * (end - start)) / HOUR_MS
  const entry = entryOf(catalog, r)
  let total = 0
  for (let t = start; t < end;) {
    const next = Math.min(end, (Math.floor(t / HOUR_MS) + 1) * HOUR_MS)
    total += (usdToMicros(spotPriceAt(entry, new Date(t), seed)) * (next - t)) / HOUR_MS
    t = next
  }
  return total
}

/** One bill line per instance that ran in [from, to); whole micro-dollars, reported in USD. */
export function billLines(catalog: Catalog, rows: InstanceRow[], from: Date, to: Date, seed: number): BillLine[] {
  const lines: BillLine[] = []
  for (const r of rows) {
    const w = billedWindow(r, from, to)
    if (!w) continue
    lines.push({
      instanceId: r.id, instanceType: r.instance_type, pricing: r.pricing, deploymentId: r.deployment_id,
      from: new Date(w.start).toISOString(), to: new Date(w.end).toISOString(), hours: (w.end - w.start) / HOUR_MS,
      costUsd: microsToUsd(Math.round(accruedMicros(catalog, r, w.start, w.end, seed))),
    })
  }
  return lines
}

/** USD per hour the running instances cost at `at`. */
export function hourlyRunRateUsd(catalog: Catalog, rows: InstanceRow[], at: Date, seed: number): number {
  let micros = 0
  for (const r of rows) if (runningAt(r, at)) micros += usdToMicros(hourlyUsdAt(catalog, r, at, seed))
  return microsToUsd(micros)
}

/** One point of the run-rate series. */
export interface RunRatePoint { at: string; hourlyUsd: number; monthlyUsd: number }

/** Most points a run-rate series may have (a month at one-minute steps is 43,200). */
export const MAX_SERIES_POINTS = 50_000

/** Run-rate at from, from+step, … ≤ to, from the instances that were running at each point. */
export function runRateSeries(catalog: Catalog, rows: InstanceRow[], from: Date, to: Date, stepMs: number, seed: number): RunRatePoint[] {
  if (!(stepMs > 0) || to.getTime() < from.getTime()) throw new RangeError('run-rate series needs stepMs > 0 and from <= to')
  if ((to.getTime() - from.getTime()) / stepMs > MAX_SERIES_POINTS) throw new RangeError(`run-rate series limited to ${MAX_SERIES_POINTS} points`)
  const points: RunRatePoint[] = []
  for (let t = from.getTime(); t <= to.getTime(); t += stepMs) {
    const hourly = hourlyRunRateUsd(catalog, rows, new Date(t), seed)
    points.push({ at: new Date(t).toISOString(), hourlyUsd: hourly, monthlyUsd: hourly * HOURS_PER_MONTH })
  }
  return points
}
