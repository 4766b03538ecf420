import type { EngineConfig } from '../cloud/model/serving.ts'
import type { PoolSpec } from '../cloud/provider.ts'

export { AGENT_TYPES, RECOMMENDATION_TYPES, RECOMMENDATION_STATUSES } from '../../api/kinds.ts'
export type { AgentType, RecommendationType, RecommendationStatus, RiskLevel } from '../../api/kinds.ts'
import type { AgentType, RecommendationType, RiskLevel } from '../../api/kinds.ts'

/**
 * What executing a recommendation does to one deployment: replace its stable group by new pools
 * running `config`, rolled out as a canary (10% → 50% → 100%), then retire the old instances.
 * Spot migration, right-sizing, consolidation, cross-cloud, quantization, KV-cache and batching
 * changes are all this one shape, so one workflow executes them all.
 */
export interface ChangePlan {
  deploymentId: string
  pools: PoolSpec[]
  config: EngineConfig
  /** Human summary of the change, e.g. "2× p4d.24xlarge on-demand → spot". */
  summary: string
}

/** Predicted effect of the change, computed by the proposing agent from catalog + telemetry. */
export interface PredictedEffect {
  monthlyCostUsdBefore: number
  monthlyCostUsdAfter: number
  p95LatencyMsBefore?: number
  p95LatencyMsAfter?: number
  /** p99 as telemetry will report it, before (measured where known) and after the change. */
  p99LatencyMsBefore?: number
  p99LatencyMsAfter?: number
  throughputCapacityRatio?: number
  qualityDelta?: number
}

/** Another agent's verdict on a recommendation. */
export interface Validation {
  agent_type: AgentType
  approved: boolean
  baseline_established: boolean
  reason: string
  data?: Record<string, unknown>
  at: string
}

/** A recommendation an agent drafts, before it is stored and validated. */
export interface RecommendationDraft {
  type: RecommendationType
  agentType: AgentType
  deploymentId: string
  title: string
  riskLevel: RiskLevel
  riskReasons: string[]
  estimatedMonthlySavingsUsd: number
  confidence: number
  predicted: PredictedEffect
  evidence: Record<string, unknown>
  plan: ChangePlan
  /** Same key = same proposal: re-analysis refreshes the pending one instead of adding another. */
  dedupeKey: string
}

/** Where a recommendation stands with its validators: still waiting, all approved, or vetoed. */
export const VALIDATION_STATUSES = ['validating', 'validated', 'blocked'] as const
export type ValidationStatus = (typeof VALIDATION_STATUSES)[number]

/**
 * Validation status from the agents that must validate and the verdicts stored so far: any
 * rejection blocks; all expected approvals validate; otherwise it is still validating. A
 * recommendation is offered to the customer (and may be approved) only once validated.
 */
export function validationStatus(validators: readonly AgentType[], validations: readonly Pick<Validation, 'agent_type' | 'approved'>[]): ValidationStatus {
  if (validations.some((v) => !v.approved)) return 'blocked'
  const approved = new Set(validations.filter((v) => v.approved).map((v) => v.agent_type))
  return validators.every((a) => approved.has(a)) ? 'validated' : 'validating'
}
