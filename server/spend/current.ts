/**
 * What the customer's fleet costs a month now, defined once for the dashboard and the reports: the
 * provider's run-rate from its bill while the provider runs (or bills) the fleet; for a fleet the
 * provider does not run (connected only through its telemetry and FOCUS exports), the last whole
 * day of imported bill at a monthly rate. Exports lag a day or more, so where both exist the
 * run-rate is "now" and the billed day stands beside it.
 */
import { lastBilledDay } from '../billing/billed-day.ts'
import type { CloudProvider } from '../cloud/provider.ts'
import type { Db } from '../db/db.ts'
import { monthlyRunRateUsd } from './run-rate.ts'

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
  const [runRate, resources, billedDay] = await Promise.all([
    monthlyRunRateUsd(deps.cloud, customerId, at), deps.cloud.listResources(customerId), lastBilledDay(deps.db, customerId),
  ])
  return chooseSpend(runRate, resources.instances.some((i) => i.state !== 'terminated'), billedDay)
}
