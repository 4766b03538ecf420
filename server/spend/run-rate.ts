/**
 * Spend has one definition: the bill. A run-rate is the price actually paid per hour by each
 * instance still running, read from the provider's bill over the trailing hour (spot prices move
 * hour by hour), × 730 hours a month. The dashboard, reports, the cost metrics and every
 * optimization's realized savings read it from here, so they cannot disagree.
 */
import type { BillLine, CloudProvider } from '../cloud/provider.ts'
import { HOURS_PER_MONTH } from '../cloud/catalog/catalog.ts'

// one convention for the catalog, the agents and the bill: 730 hours a month (365 × 24 / 12)
export { HOURS_PER_MONTH }
/** Trailing window the paid hourly price is read over. */
export const RUN_RATE_WINDOW_MS = 3_600_000
/** Bill lines shorter than this (an instance that just started) give no reliable hourly price. */
export const MIN_BILLED_HOURS = 1 / 60
/** Most points a run-rate series reads from the bill (one bill read each); the step grows to fit. */
export const MAX_RUN_RATE_POINTS = 120

/** What spend needs of a provider: its bill, and its current prices for instances just started. */
export type BillReader = Pick<CloudProvider, 'getBill' | 'listResources'>

/** One point of a run-rate series. */
export interface RunRatePoint { at: Date; hourlyUsd: number; monthlyUsd: number }

/**
 * Monthly run-rate from bill lines over [at − window, at): every line still running at `at` (its
 * `to` is `at`) contributes cost ÷ hours, the hourly price it actually paid. Lines of instances
 * that stopped earlier no longer cost anything. An instance billed for less than a minute so far
 * contributes the provider's current price for it (`currentHourly`), when known; its data
 * transfer, nothing yet.
 */
export function runRateFromBill(lines: BillLine[], at: Date, filter: (l: BillLine) => boolean = () => true, currentHourly: Map<string, number> = new Map()): number {
  const end = at.getTime()
  let hourly = 0
  for (const l of lines) {
    if (!filter(l) || new Date(l.to).getTime() < end - 1) continue
    if (l.hours >= MIN_BILLED_HOURS) hourly += l.costUsd / l.hours
    else if (!l.transfer) hourly += currentHourly.get(l.instanceId) ?? 0
  }
  return hourly * HOURS_PER_MONTH
}

const onDeployment = (deploymentId?: string) => (deploymentId === undefined ? undefined : (l: BillLine) => l.deploymentId === deploymentId)

/** A deployment's (or with no id, the customer's) monthly run-rate at `at`, from the provider's bill. */
export async function monthlyRunRateUsd(cloud: BillReader, customerId: string, at: Date, deploymentId?: string): Promise<number> {
  const [lines, res] = await Promise.all([cloud.getBill(customerId, new Date(at.getTime() - RUN_RATE_WINDOW_MS), at), cloud.listResources(customerId)])
  const current = new Map(res.instances.map((i) => [i.id, i.hourlyUsd]))
  return runRateFromBill(lines, at, onDeployment(deploymentId), current)
}

/** Sampling instants in [from, to]: at least `stepMs` apart, at most MAX_RUN_RATE_POINTS, ending at `to`. */
export function runRateInstants(from: Date, to: Date, stepMs: number): Date[] {
  if (!(stepMs > 0) || to.getTime() < from.getTime()) throw new RangeError('run-rate series needs stepMs > 0 and from <= to')
  const span = to.getTime() - from.getTime()
  const step = Math.max(stepMs, Math.ceil(span / (MAX_RUN_RATE_POINTS - 1)))
  const out: Date[] = []
  for (let t = to.getTime(); t >= from.getTime() && out.length < MAX_RUN_RATE_POINTS; t -= step) out.unshift(new Date(t))
  return out
}

/** The bill's run-rate at instants across [from, to] (instances that stopped count while they ran). */
export async function runRateSeries(cloud: BillReader, customerId: string, from: Date, to: Date, stepMs: number, deploymentId?: string): Promise<RunRatePoint[]> {
  const instants = runRateInstants(from, to, stepMs)
  const current = new Map((await cloud.listResources(customerId)).instances.map((i) => [i.id, i.hourlyUsd]))
  const points: RunRatePoint[] = []
  for (const at of instants) {
    const lines = await cloud.getBill(customerId, new Date(at.getTime() - RUN_RATE_WINDOW_MS), at)
    // only the newest point may price a just-started instance at today's price
    const monthly = runRateFromBill(lines, at, onDeployment(deploymentId), at.getTime() === to.getTime() ? current : new Map())
    points.push({ at, hourlyUsd: monthly / HOURS_PER_MONTH, monthlyUsd: monthly })
  }
  return points
}
