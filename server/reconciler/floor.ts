/**
 * The on-demand floor of a spot deployment: how many instances stay on-demand so that losing every
 * spot instance at once still serves the SLO. Default: the fewest on-demand instances of the main
 * type that serve the deployment's average load (observed throughput when telemetry has it, else
 * the registered average rate) within its end-to-end p95 objective (by the serving model), at
 * least one; an operator can set a fixed floor instead. Pure.
 */
import { serve } from '../cloud/model/serving.ts'
import type { FleetDeployment, PriceQuote } from '../cloud/provider.ts'
import { countOf, type IntendedPool } from './drift.ts'

/** The floor for a deployment: `fixed` when the operator set one, else the modelled default. */
export function onDemandFloor(d: FleetDeployment, pools: IntendedPool[], quotes: PriceQuote[], load: { e2eP95Ms: number; rps: number | null }, fixed: number | null): number {
  const total = countOf(pools)
  if (fixed !== null) return Math.min(total, fixed)
  const main = [...pools].sort((a, b) => b.count - a.count)[0]
  const quote = main && quotes.find((q) => q.instanceType === main.instanceType)
  if (!quote) return Math.min(total, 1)
  for (let k = 1; k < total; k++) {
    const stats = serve(d.model, d.stable.config, {
      gpuType: quote.gpuType, gpusPerInstance: quote.gpuCount, instances: k, rps: load.rps ?? d.traffic.baseRps,
      promptTokensMean: d.traffic.promptTokensMean, outputTokensMean: d.traffic.outputTokensMean, prefixShare: d.traffic.prefixShare,
    })
    if (stats.fits && stats.saturation < 1 && stats.e2eMs.p95 <= load.e2eP95Ms) return k
  }
  return Math.max(1, total)
}
