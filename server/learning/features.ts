/**
 * The numeric feature vector of a change, computed only from the recommendation (type, plan,
 * predicted effect, risk, confidence), so a past outcome and a new recommendation are described
 * the same way and can be compared by distance. Every component is scaled to about [0, 1].
 */
import type { ChangePlan, PredictedEffect, RecommendationType, RiskLevel } from '../recommendations/recommendation.ts'

/** Length of every feature vector (the pgvector column is `vector(FEATURE_DIM)`). */
export const FEATURE_DIM = 12

/** What the features are computed from. */
export interface FeatureInput {
  type: RecommendationType
  riskLevel: RiskLevel
  confidence: number
  estimatedSavingsUsd: number
  predicted: Partial<PredictedEffect>
  plan: Pick<ChangePlan, 'pools' | 'config'>
}

// Change families: what kind of lever is pulled matters more than the exact type name.
const FAMILY: Record<RecommendationType, [pricing: number, config: number, capacity: number, placement: number]> = {
  spot_migration: [1, 0, 0, 0],
  reserved_capacity: [1, 0, 0, 0],
  instance_rightsizing: [0, 0, 1, 0],
  consolidation: [0, 0, 1, 0],
  autoscaling: [0, 0, 1, 0],
  cross_cloud_migration: [0.5, 0, 0, 1],
  kv_cache_tuning: [0, 1, 0, 0],
  quantization: [0, 1, 0, 0],
  batching_tuning: [0, 1, 0, 0],
}
const RISK: Record<RiskLevel, number> = { low: 0, medium: 0.5, high: 1 }
const QUANT: Record<string, number> = { none: 0, fp8: 0.33, int8: 0.66, int4: 1 }

/** Feature names in vector order (shown with similar outcomes). */
export const FEATURE_NAMES = [
  'pricing_change', 'config_change', 'capacity_change', 'placement_change', 'log_savings', 'savings_share',
  'risk', 'confidence', 'spot_share', 'log_instances', 'quantization', 'kv_fp8',
] as const

/** The feature vector of a change. */
export function featuresOf(f: FeatureInput): number[] {
  const instances = f.plan.pools.reduce((n, p) => n + p.count, 0)
  const spot = f.plan.pools.filter((p) => p.pricing === 'spot').reduce((n, p) => n + p.count, 0)
  const before = f.predicted.monthlyCostUsdBefore ?? 0
  const share = before > 0 ? clamp01(f.estimatedSavingsUsd / before) : 0
  return [
    ...FAMILY[f.type],
    clamp01(Math.log10(1 + Math.max(0, f.estimatedSavingsUsd)) / 6),
    share,
    RISK[f.riskLevel],
    clamp01(f.confidence),
    instances > 0 ? spot / instances : 0,
    clamp01(Math.log2(1 + instances) / 7),
    QUANT[f.plan.config.quantization] ?? 0,
    f.plan.config.kvCacheDtype === 'fp8' ? 1 : 0,
  ].map((x) => Math.round(x * 1e6) / 1e6)
}

/** Euclidean distance; similarity = 1 / (1 + distance), 1 for identical changes. */
export function distance(a: number[], b: number[]): number {
  let s = 0
  for (let i = 0; i < Math.max(a.length, b.length); i++) s += ((a[i] ?? 0) - (b[i] ?? 0)) ** 2
  return Math.sqrt(s)
}

function clamp01(x: number): number {
  return Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0
}

/** A past outcome as similarity search returns it. */
export interface SimilarOutcome {
  optimization_id: string | null
  recommendation_type: RecommendationType
  success: boolean
  status: string
  predicted_savings: number
  actual_savings: number | null
  prediction_accuracy: number | null
  quality_delta: number | null
  rollback_reason: string | null
  distance: number
  similarity: number
  same_customer: boolean
}

/**
 * Adjusts a recommendation's confidence and risk with what similar past changes did: the success
 * rate and the realized/predicted ratio of the neighbours, weighted by similarity, pull the
 * confidence toward the evidence (more neighbours → more pull); a rollback-prone neighbourhood
 * raises the risk one level.
 */
export function adjustByOutcomes(confidence: number, risk: RiskLevel, similar: SimilarOutcome[]): { confidence: number; risk_level: RiskLevel; success_rate: number | null; mean_accuracy: number | null; weight: number; reasons: string[] } {
  const w = similar.reduce((s, o) => s + o.similarity, 0)
  if (w === 0) return { confidence, risk_level: risk, success_rate: null, mean_accuracy: null, weight: 0, reasons: ['no similar past outcomes'] }
  const successRate = similar.reduce((s, o) => s + o.similarity * (o.success ? 1 : 0), 0) / w
  const acc = similar.filter((o) => o.prediction_accuracy !== null)
  const accW = acc.reduce((s, o) => s + o.similarity, 0)
  const meanAcc = accW > 0 ? acc.reduce((s, o) => s + o.similarity * Math.min(1.5, o.prediction_accuracy!), 0) / accW : null
  const evidence = successRate * Math.min(1, meanAcc ?? 1)
  const pull = w / (w + 2)
  const adjusted = clamp01(confidence * (1 - pull) + evidence * pull)
  const raise = successRate < 0.6 && similar.length >= 2
  const next: RiskLevel = raise ? (risk === 'low' ? 'medium' : 'high') : risk
  const reasons = [`${similar.length} similar past change(s): ${(successRate * 100).toFixed(0)}% succeeded${meanAcc === null ? '' : `, realized ${(meanAcc * 100).toFixed(0)}% of predicted savings`}`]
  if (raise) reasons.push('risk raised: similar changes were often rolled back')
  return { confidence: Math.round(adjusted * 1000) / 1000, risk_level: next, success_rate: successRate, mean_accuracy: meanAcc, weight: w, reasons }
}
