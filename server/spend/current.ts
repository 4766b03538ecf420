/**
 * What the customer's fleet costs a month now, defined once for the dashboard and the reports: the
 * provider's run-rate from its bill while the provider runs (or bills) the fleet; for a fleet the
 * provider does not run (connected only through its telemetry and FOCUS exports), the last whole
 * day of imported bill at a monthly rate. Exports lag a day or more, so where both exist the
 * run-rate is "now" and the billed day stands beside it.
 */
import { lastBilledDay } from '../billing/billed-day.ts'
import { billCoverage, effectiveCostOver } from '../billing/store.ts'
import type { CloudProvider } from '../cloud/provider.ts'
import type { Db } from '../db/db.ts'
import { HOURS_PER_MONTH, monthlyRunRateUsd, RUN_RATE_WINDOW_MS, runRateInstants, runRateSeries, type RunRatePoint } from './run-rate.ts'

export type SpendSource = 'provider_run_rate' | 'imported_bill'
type BilledDay = NonNullable<Awaited<ReturnType<typeof lastBilledDay>>>

/** The current monthly spend, where it comes from (null: nothing bills yet), and the last whole billed day. */
export interface CurrentSpend { usd: number; source: SpendSource | null; billedDay: BilledDay | null }

/** Chooses the source. Pure. */
export function chooseSpend(runRate: number, providerRuns: boolean, billedDay: BilledDay | null): CurrentSpend {
  if (providerRuns || runRate > 0) return { usd: runRate, source: 'provider_run_rate', billedDay }
  if (billedDay) return { usd: billedDay.monthly_rate, source: 'imported_bill', billedDay }
  return { usd: 0, source: null, billedDay }
}

/** The customer's current monthly spend at `at`. */
export async function currentMonthlySpend(deps: { db: Db; cloud: Pick<CloudProvider, 'getBill' | 'listResources'> }, customerId: string, at: Date): Promise<CurrentSpend> {
  const [runRate, runs, billedDay] = await Promise.all([
    monthlyRunRateUsd(deps.cloud, customerId, at), providerRuns(deps.cloud, customerId), lastBilledDay(deps.db, customerId),
  ])
  return chooseSpend(runRate, runs, billedDay)
}

/** Whether the provider runs any of the customer's fleet now. */
async function providerRuns(cloud: Pick<CloudProvider, 'listResources'>, customerId: string): Promise<boolean> {
  return (await cloud.listResources(customerId)).instances.some((i) => i.state !== 'terminated')
}

/**
 * The same spend over time (the `monthly_cost` and `hourly_cost` metrics): the provider's run-rate
 * at each instant where the provider runs the fleet; else the imported bill's cost over the hour
 * before each instant its lines cover, at a monthly rate (instants it does not cover have no point).
 */
export async function spendSeries(deps: { db: Db; cloud: Pick<CloudProvider, 'getBill' | 'listResources'> }, customerId: string, from: Date, to: Date, stepMs: number): Promise<RunRatePoint[]> {
  const coverage = await billCoverage(deps.db, customerId)
  if (!coverage || (await providerRuns(deps.cloud, customerId))) return runRateSeries(deps.cloud, customerId, from, to, stepMs)
  const points: RunRatePoint[] = []
  for (const at of runRateInstants(from, to, stepMs)) {
    const start = new Date(at.getTime() - RUN_RATE_WINDOW_MS)
    if (start < coverage.from || at > coverage.to) continue
    const hourly = (await effectiveCostOver(deps.db, customerId, start, at)) / (RUN_RATE_WINDOW_MS / 3_600_000)
    points.push({ at, hourlyUsd: hourly, monthlyUsd: hourly * HOURS_PER_MONTH })
  }
  return points
}
