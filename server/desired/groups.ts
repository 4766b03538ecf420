/**
 * Alternatives are grouped, not summed, pure. Recommendations of one `exclusive_group` exclude
 * each other (several ways to change one deployment's capacity): what is still possible is at most
 * the best one of each group, and never more than what the fleet costs now.
 */
import type { ChangePlan, RecommendationType } from '../recommendations/recommendation.ts'
import { fallbackGroup } from './spec.ts'

/** What grouping looks at. */
export interface Alternative { id: string; exclusiveGroup: string | null; savingsUsd: number }

/** A recommendation's group; one stored without (before desired state existed) falls back to its type's lever on its deployment. */
export function groupOf(r: { exclusiveGroup: string | null; type: RecommendationType; plan: ChangePlan }): string {
  return r.exclusiveGroup ?? fallbackGroup(r.plan.deploymentId, r.type)
}

/** The best compatible set: the largest positive saving of each group (ties: smaller id). */
export function bestCompatibleSet<T extends Alternative>(recs: T[]): T[] {
  const best = new Map<string, T>()
  for (const r of recs) {
    if (!(r.savingsUsd > 0)) continue
    const key = r.exclusiveGroup ?? `own:${r.id}`
    const have = best.get(key)
    if (!have || r.savingsUsd > have.savingsUsd || (r.savingsUsd === have.savingsUsd && r.id < have.id)) best.set(key, r)
  }
  return [...best.values()]
}

/** Potential savings: Σ of the best compatible set, capped at the current spend (nothing saves more than it costs). */
export function potentialSavings(recs: Alternative[], currentSpendUsd: number): number {
  const sum = bestCompatibleSet(recs).reduce((s, r) => s + r.savingsUsd, 0)
  return Math.round(Math.min(sum, Math.max(0, currentSpendUsd)) * 100) / 100
}
