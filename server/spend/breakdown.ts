/**
 * Where the money goes: the bill's run-rate split by the deployment each instance serves, with
 * instances that serve no deployment (idle, billed all the same) as their own line, and what a
 * million processed tokens costs where telemetry counts them. Pure; the route reads bill and signals.
 */
import type { BillLine } from '../cloud/provider.ts'
import { HOURS_PER_MONTH, runRateFromBill } from './run-rate.ts'

/** One line of the breakdown; `deploymentId` null: instances billed while serving no deployment. */
export interface SpendLine {
  deploymentId: string | null
  monthlyUsd: number
  instances: number
  tokensPerSec: number | null
  usdPerMillionTokens: number | null
}

/** Seconds in a billing month, the denominator that turns a token rate into monthly tokens. */
const SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600

/**
 * Splits the run-rate at `at` by deployment. `tokensPerSec` is each deployment's observed token
 * rate (prompt + generated) over the recent window; a deployment without it has no per-token cost.
 * The lines add up to the customer's run-rate (the same bill lines, partitioned).
 */
export function spendByDeployment(lines: BillLine[], at: Date, current: Map<string, number>, tokensPerSec: Map<string, number>): SpendLine[] {
  const running = lines.filter((l) => new Date(l.to).getTime() >= at.getTime() - 1)
  const keys = [...new Set(running.map((l) => l.deploymentId))]
  return keys.map((deploymentId) => {
    const monthlyUsd = runRateFromBill(lines, at, (l) => l.deploymentId === deploymentId, current)
    const tokens = deploymentId === null ? null : tokensPerSec.get(deploymentId) ?? null
    const instances = new Set(running.filter((l) => l.deploymentId === deploymentId).map((l) => l.instanceId)).size
    return { deploymentId, monthlyUsd, instances, tokensPerSec: tokens, usdPerMillionTokens: costPerMillionTokens(monthlyUsd, tokens) }
  }).sort((a, b) => b.monthlyUsd - a.monthlyUsd)
}

/** USD per million tokens at a monthly spend and a token rate; null without a positive rate. */
export function costPerMillionTokens(monthlyUsd: number, tokensPerSec: number | null): number | null {
  if (tokensPerSec === null || !(tokensPerSec > 0)) return null
  return (monthlyUsd / (tokensPerSec * SECONDS_PER_MONTH)) * 1e6
}
