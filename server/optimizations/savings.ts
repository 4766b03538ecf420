/**
 * Realized savings come from the bill, not from the estimate: the deployment's run-rate before and
 * after a change, as the one spend definition (server/spend/) reads it.
 */
import type { CloudProvider, PoolSpec, PriceQuote } from '../cloud/provider.ts'
import { HOURS_PER_MONTH } from '../spend/run-rate.ts'

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

/** Below −max(this, share × cost before) realized savings are a regression, not price noise. */
export const REGRESSION_NOISE_USD = 1
export const REGRESSION_NOISE_SHARE = 0.01
/** A change approved at a known extra cost (scale-out) regresses when it costs this much more than approved. */
export const OVERSPEND_TOLERANCE_SHARE = 0.1

/**
 * Whether a completed change regressed on cost, from the bill. A change expected to save money
 * regressed when it costs more than before; one the customer approved knowing it costs more (adding
 * needed capacity) regressed only when it costs more than approved. Spot prices move hourly, so
 * both are judged beyond that noise.
 */
export function costRegression(beforeUsd: number, actualUsd: number, predictedUsd: number): string | null {
  const noise = Math.max(REGRESSION_NOISE_USD, REGRESSION_NOISE_SHARE * beforeUsd)
  if (predictedUsd >= 0) return actualUsd < -noise ? `realized savings are negative (${actualUsd.toFixed(2)} USD/month)` : null
  const limit = predictedUsd - Math.max(noise, OVERSPEND_TOLERANCE_SHARE * -predictedUsd)
  return actualUsd < limit ? `costs ${(-actualUsd).toFixed(2)} USD/month more, beyond the ${(-predictedUsd).toFixed(2)} approved` : null
}

const round2 = (x: number) => Math.round(x * 100) / 100
const round4 = (x: number) => Math.round(x * 10_000) / 10_000

/** Current price lists of every cloud region the pools use. */
export async function pricesFor(cloud: CloudProvider, pools: PoolSpec[]): Promise<PriceQuote[]> {
  const regions = [...new Set(pools.map((p) => `${p.cloud}|${p.region}`))]
  const lists = await Promise.all(regions.map((r) => { const [c, region] = r.split('|') as [PoolSpec['cloud'], string]; return cloud.getPrices(c, region) }))
  return lists.flat()
}

/** Monthly cost of pools at the quoted prices; null when a pool has no price for its pricing. */
export function planMonthlyUsd(pools: PoolSpec[], prices: PriceQuote[]): number | null {
  let hourly = 0
  for (const p of pools) {
    const q = prices.find((x) => x.cloud === p.cloud && x.region === p.region && x.instanceType === p.instanceType)
    const unit = !q ? undefined : p.pricing === 'spot' ? q.spotHourlyUsd : p.pricing === 'reserved' ? q.reserved1yHourlyUsd : q.onDemandHourlyUsd
    if (unit === undefined) return null
    hourly += unit * p.count
  }
  return hourly * HOURS_PER_MONTH
}
