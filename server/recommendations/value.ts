/**
 * What a recommendation is worth, in one comparable figure. A cost change is worth the money it
 * saves; a performance change that saves nothing is worth the capacity it frees: the same load
 * then needs 1/ratio of today's fleet, so (1 − 1/ratio) × today's monthly cost is what that
 * capacity would cost to buy. The list sorts by it, so a 1.6× FP8 speed-up no longer shows "$0"
 * and sorts last. A change that costs more (adding needed capacity) is worth its negative savings.
 * Pure; computed from the agent's own prediction.
 */
import type { PredictedEffect } from './recommendation.ts'
import { cents } from '../agents/scoring.ts'

export interface RecommendationValue {
  kind: 'savings' | 'capacity' | 'cost'
  /** USD per month: the savings, or the capacity's equivalent, or (negative) the extra cost. */
  monthly_usd: number
  capacity_ratio: number | null
  /** Relative change of the predicted p95 latency (−0.2 = 20% faster), when predicted. */
  p95_change: number | null
}

export function valueOf(estimatedSavingsUsd: number, p: PredictedEffect): RecommendationValue {
  const ratio = p.throughputCapacityRatio ?? null
  const p95 = p.p95LatencyMsBefore && p.p95LatencyMsAfter !== undefined ? Math.round((p.p95LatencyMsAfter / p.p95LatencyMsBefore - 1) * 10_000) / 10_000 : null
  const base = { capacity_ratio: ratio, p95_change: p95 }
  if (estimatedSavingsUsd < 0) return { kind: 'cost', monthly_usd: cents(estimatedSavingsUsd), ...base }
  const capacity = ratio !== null && ratio > 1 ? (1 - 1 / ratio) * p.monthlyCostUsdBefore : 0
  return capacity > estimatedSavingsUsd
    ? { kind: 'capacity', monthly_usd: cents(capacity), ...base }
    : { kind: 'savings', monthly_usd: cents(estimatedSavingsUsd), ...base }
}
