/**
 * Idle capacity: instances the cloud bills while they serve no deployment (a box left over after
 * an experiment, a node a migration forgot). Kubecost shows this as "idle cost"; OptiInfra names
 * each instance with what it costs a month from the bill, and lets the customer terminate it.
 * Pure; the routes read the provider's resources and bill.
 */
import type { BillLine, FleetInstance } from '../cloud/provider.ts'
import { HOURS_PER_MONTH, runRateFromBill } from '../spend/run-rate.ts'

/**
 * An instance counts as idle once it has served nothing for this long in fleet time: a box the
 * customer has just started is probably about to get work, and flagging it would be noise.
 */
export const IDLE_GRACE_MS = 30 * 60_000

/** One idle instance with the money terminating it saves. */
export interface IdleInstance {
  instance: FleetInstance
  /** Monthly run-rate of this instance from the bill (what terminating it saves). */
  monthlyUsd: number
  /** Fleet time since it started (instances report no "last served" time of their own). */
  idleForMs: number
}

/** Whether an instance has billed while serving no deployment for longer than the grace period. */
export function isIdle(i: FleetInstance, at: Date): boolean {
  return i.deploymentId === null && i.state !== 'terminated' && at.getTime() - Date.parse(i.launchedAt) >= IDLE_GRACE_MS
}

/** The customer's idle instances at `at`, most expensive first. */
export function idleInstances(instances: FleetInstance[], lines: BillLine[], at: Date): IdleInstance[] {
  return instances
    .filter((i) => isIdle(i, at))
    .map((instance) => ({
      instance,
      monthlyUsd: monthlyUsdOf(instance, lines, at),
      idleForMs: at.getTime() - Date.parse(instance.launchedAt),
    }))
    .sort((a, b) => b.monthlyUsd - a.monthlyUsd || a.instance.id.localeCompare(b.instance.id))
}

/** What an instance costs a month: its bill's run-rate, or its current price before the bill has a line for it. */
export function monthlyUsdOf(instance: FleetInstance, lines: BillLine[], at: Date): number {
  const own = (l: BillLine) => l.instanceId === instance.id
  return lines.some(own) ? runRateFromBill(lines, at, own, new Map([[instance.id, instance.hourlyUsd]])) : instance.hourlyUsd * HOURS_PER_MONTH
}
