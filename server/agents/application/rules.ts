/**
 * Application (answer-quality) rules: how many prompts make a baseline, what quality change a
 * plan is predicted to cause (quality model, peers §5.2), and the paired canary-vs-stable verdict
 * (McNemar on the same prompts, engineer D's `judgePaired`). Pure.
 */
import { accuracy } from '../../cloud/model/quality.ts'
import type { FleetDeployment } from '../../cloud/provider.ts'
import { addPair, judgePaired, NO_PAIRS, type PairCounts, type PairedVerdict } from '../../quality/paired.ts'
import type { AgentContext, QualityProbeResult, RecommendationUnderReview } from '../agent.ts'
import { entryOf, stableInstances } from '../fleet.ts'

/** Prompts per baseline (validation) and per routine monitoring run. */
export const BASELINE_PROMPTS = 48
export const MONITOR_PROMPTS = 32
/** A baseline needs this many answered prompts (below it the standard error exceeds ~7 pp). */
export const MIN_BASELINE_ANSWERS = 30
/** Largest predicted accuracy drop (absolute) a change may carry into a canary: FP8 (~0.2%) passes, INT8's 1–3% does not. */
export const MAX_PREDICTED_QUALITY_DROP = 0.01

/** Quality the model expects of a plan relative to today (negative = worse), on the plan's GPU. */
export function predictedQualityDelta(ctx: AgentContext, rec: RecommendationUnderReview, dep: FleetDeployment): { delta: number; before: number; after: number } {
  const current = stableInstances(ctx, dep)[0]
  const firstPool = rec.plan.pools[0]
  const gpuBefore = current?.gpuType
  const gpuAfter = firstPool ? entryOf(ctx, firstPool.cloud, firstPool.instanceType).gpuType : gpuBefore
  const before = accuracy(dep.model, dep.stable.config, gpuBefore ? { gpuType: gpuBefore } : {})
  const after = accuracy(dep.model, rec.plan.config, gpuAfter ? { gpuType: gpuAfter } : {})
  return { delta: after - before, before, after }
}

/** Pairs a canary probe with the stable probe of the same prompts and judges the difference. */
export function pairedVerdict(stable: QualityProbeResult, canary: QualityProbeResult): PairedVerdict & { counts: PairCounts } {
  const byId = new Map(canary.items.map((i) => [i.id, i]))
  let counts = NO_PAIRS
  for (const s of stable.items) {
    const c = byId.get(s.id)
    if (c) counts = addPair(counts, s.correct, c.correct)
  }
  return { ...judgePaired(counts), counts }
}

/** Seed that rotates monitoring prompts per deployment and hour, so successive runs cover the set. */
export function probeSeed(deploymentId: string, now: string): string {
  return `${deploymentId}|${now.slice(0, 13)}`
}
