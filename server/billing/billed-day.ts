/**
 * Spend as the imported bill states it: the last whole UTC day the customer's FOCUS imports cover,
 * its effective cost, and the monthly rate that day runs at. Exports lag a day or more, so this
 * stands beside the provider's run-rate (what the fleet costs now), not in its place.
 */
import type { Db } from '../db/db.ts'
import { HOURS_PER_MONTH } from '../spend/run-rate.ts'
import { billCoverage, effectiveCostOver } from './store.ts'

const DAY = 86_400_000

/** The last whole UTC day inside the bills' coverage, or null when they cover none. */
export function lastWholeDay(coverage: { from: Date; to: Date } | null): { from: Date; to: Date } | null {
  if (!coverage) return null
  const to = Math.floor(coverage.to.getTime() / DAY) * DAY
  return to - DAY >= coverage.from.getTime() ? { from: new Date(to - DAY), to: new Date(to) } : null
}

/** The last whole billed day: its date, effective cost and the monthly rate it runs at (null before a whole day is imported). */
export async function lastBilledDay(db: Db, customerId: string): Promise<{ day: string; effective_cost: number; monthly_rate: number } | null> {
  const day = lastWholeDay(await billCoverage(db, customerId))
  if (!day) return null
  const cost = await effectiveCostOver(db, customerId, day.from, day.to)
  const round2 = (x: number) => Math.round(x * 100) / 100
  return { day: day.from.toISOString().slice(0, 10), effective_cost: round2(cost), monthly_rate: round2((cost / 24) * HOURS_PER_MONTH) }
}
