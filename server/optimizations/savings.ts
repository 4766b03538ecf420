/**
 * Realized savings come from the bill, not from the estimate: the run-rate of a deployment is the
 * price actually paid per hour by each instance still running, read from the provider's bill over
 * the trailing hour (spot prices move hour by hour), × 730 hours a month.
 */
import type { BillLine, CloudProvider } from '../cloud/provider.ts'

/** Hours in a billing month (365 × 24 / 12), the convention of the catalog and the agents. */
export const HOURS_PER_MONTH = 730
/** Trailing window the paid hourly price is read over. */
export const RUN_RATE_WINDOW_MS = 3_600_000

/** Bill lines shorter than this (an instance that just started) give no reliable hourly price. */
export const MIN_BILLED_HOURS = 1 / 60

/**
 * Monthly run-rate from bill lines over [at − window, at): every line still running at `at` (its
 * `to` is `at`) contributes cost ÷ hours, the hourly price it actually paid. Lines of instances
 * that stopped earlier no longer cost anything. An instance billed for less than a minute so far
 * contributes the provider's current price for it (`currentHourly`), when known.
 */
export function runRateFromBill(lines: BillLine[], at: Date, filter: (l: BillLine) => boolean = () => true, currentHourly: Map<string, number> = new Map()): number {
  const end = at.getTime()
  let hourly = 0
  for (const l of lines) {
    if (!filter(l) || new Date(l.to).getTime() < end - 1) continue
    if (l.hours >= MIN_BILLED_HOURS) hourly += l.costUsd / l.hours
    else hourly += currentHourly.get(l.instanceId) ?? 0
  }
  return hourly * HOURS_PER_MONTH
}

/** A deployment's (or with no id, the customer's) monthly run-rate at `at`, from the provider's bill. */
export async function monthlyRunRateUsd(cloud: CloudProvider, customerId: string, at: Date, deploymentId?: string): Promise<number> {
  const [lines, res] = await Promise.all([cloud.getBill(customerId, new Date(at.getTime() - RUN_RATE_WINDOW_MS), at), cloud.listResources(customerId)])
  const current = new Map(res.instances.map((i) => [i.id, i.hourlyUsd]))
  return runRateFromBill(lines, at, deploymentId === undefined ? undefined : (l) => l.deploymentId === deploymentId, current)
}

/** Realized vs predicted savings of one change (USD/month); error = (actual − predicted) / predicted. */
export function realizedSavings(beforeUsd: number, afterUsd: number, predictedUsd: number): { actual: number; predicted: number; prediction_error: number | null; cost_reduction: number | null } {
  const actual = beforeUsd - afterUsd
  return {
    actual: round2(actual),
    predicted: round2(predictedUsd),
    prediction_error: predictedUsd > 0 ? round4((actual - predictedUsd) / predictedUsd) : null,
    cost_reduction: beforeUsd > 0 ? round4(actual / beforeUsd) : null,
  }
}

const round2 = (x: number) => Math.round(x * 100) / 100
const round4 = (x: number) => Math.round(x * 10_000) / 10_000
