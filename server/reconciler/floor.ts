/**
 * The on-demand floor of a spot deployment: how many instances stay on-demand so that losing every
 * spot instance at once still serves the SLO. Default: the fewest on-demand instances of the main
 * type that serve the deployment's average load within its end-to-end p95 objective, by the serving
 * model on the workload the agents learned from telemetry (rate, request shape, prefix share, GPU
 * speed; the registration where telemetry is silent), at least one; an operator can set a fixed
 * floor instead. Pure.
 */
import { serve } from '../cloud/model/serving.ts'
import type { FleetDeployment, PriceQuote } from '../cloud/provider.ts'
import type { ServedWorkload } from '../agents/workload.ts'
import type { IntendedPool } from './drift.ts'
import { countOf } from '../desired/spec.ts'

/** What the floor must serve: the learned workload (its mean rate is the average load) within the p95 objective. */
export interface FloorDemand { e2eP95Ms: number; workload: ServedWorkload }

/** The floor for a deployment: `fixed` when the operator set one, else the modelled default. */
export function onDemandFloor(d: FleetDeployment, pools: IntendedPool[], quotes: PriceQuote[], demand: FloorDemand, fixed: number | null): number {
  const total = countOf(pools)
  if (fixed !== null) return Math.min(total, fixed)
  const main = [...pools].sort((a, b) => b.count - a.count)[0]
  const quote = main && quotes.find((q) => q.instanceType === main.instanceType)
  if (!quote) return Math.min(total, 1)
  const w = demand.workload
  for (let k = 1; k < total; k++) {
    const stats = serve(d.model, d.stable.config, {
      gpuType: quote.gpuType, gpusPerInstance: quote.gpuCount, instances: k, rps: w.baseRps, efficiency: w.efficiency,
      promptTokensMean: w.promptTokensMean, outputTokensMean: w.outputTokensMean, prefixShare: w.prefixShare,
    })
    if (stats.fits && stats.saturation < 1 && stats.e2eMs.p95 <= demand.e2eP95Ms) return k
  }
  return Math.max(1, total)
}
