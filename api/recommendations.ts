import { Type, type Static } from '@sinclair/typebox'
import { Uuid } from './common.ts'
import { AgentTypeSchema } from './agents.ts'

/** Recommendation kinds and states (mirrors server/recommendations/recommendation.ts). */
export const RecommendationTypeSchema = Type.Union([
  Type.Literal('spot_migration'), Type.Literal('reserved_capacity'), Type.Literal('instance_rightsizing'), Type.Literal('cross_cloud_migration'),
  Type.Literal('kv_cache_tuning'), Type.Literal('quantization'), Type.Literal('batching_tuning'), Type.Literal('consolidation'), Type.Literal('autoscaling'),
])
export const RecommendationStatusSchema = Type.Union([
  Type.Literal('pending'), Type.Literal('approved'), Type.Literal('rejected'), Type.Literal('executing'), Type.Literal('completed'),
  Type.Literal('failed'), Type.Literal('rolled_back'), Type.Literal('superseded'),
])

/** GET /customers/{id}/recommendations filters; recommendations still being validated are listed only on request. */
export const RecommendationsQuery = Type.Object({
  status: Type.Optional(RecommendationStatusSchema),
  type: Type.Optional(RecommendationTypeSchema),
  agent_type: Type.Optional(AgentTypeSchema),
  deployment_id: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  include_validating: Type.Optional(Type.Boolean()),
}, { additionalProperties: false })
export type RecommendationsQuery = Static<typeof RecommendationsQuery>

const Loose = Type.Object({}, { additionalProperties: true })

/** One validator's verdict. */
export const ValidationView = Type.Object({
  agent_type: AgentTypeSchema, approved: Type.Boolean(), baseline_established: Type.Boolean(), reason: Type.String(), data: Type.Optional(Loose), at: Type.String(),
})

/** A recommendation as the API shows it: savings in USD per month. */
export const RecommendationView = Type.Object({
  id: Uuid, customer_id: Uuid, deployment_id: Type.Union([Type.String(), Type.Null()]), type: RecommendationTypeSchema, status: RecommendationStatusSchema,
  agent_type: AgentTypeSchema, title: Type.String(), risk_level: Type.Union([Type.Literal('low'), Type.Literal('medium'), Type.Literal('high')]),
  risk_reasons: Type.Array(Type.String()), estimated_savings: Type.Number(), confidence: Type.Number(), predicted: Loose, evidence: Loose, plan: Loose,
  validators: Type.Array(AgentTypeSchema), validations: Type.Array(ValidationView),
  validation_status: Type.Union([Type.Literal('validating'), Type.Literal('validated'), Type.Literal('blocked')]),
  dedupe_key: Type.String(), analysis_id: Type.Union([Uuid, Type.Null()]), optimization_id: Type.Union([Uuid, Type.Null()]),
  decided_by: Type.Union([Type.String(), Type.Null()]), decided_at: Type.Union([Type.String(), Type.Null()]), reject_reason: Type.Union([Type.String(), Type.Null()]),
  evidence_at: Type.String(), created_at: Type.String(), updated_at: Type.String(),
  /** The delta (issue 10): desired-state generation it was computed or rebased on, fields it changes, group of mutually exclusive alternatives. */
  base_generation: Type.Union([Type.Integer(), Type.Null()]), touches: Type.Array(Type.String()), exclusive_group: Type.Union([Type.String(), Type.Null()]),
  /** One comparable figure (server/recommendations/value.ts): savings, the freed capacity's monthly equivalent, or the extra cost. */
  value: Type.Object({
    kind: Type.Union([Type.Literal('savings'), Type.Literal('capacity'), Type.Literal('cost')]), monthly_usd: Type.Number(),
    capacity_ratio: Type.Union([Type.Number(), Type.Null()]), p95_change: Type.Union([Type.Number(), Type.Null()]),
  }),
})
export type RecommendationView = Static<typeof RecommendationView>

/** POST /recommendations/{id}/reject */
export const RejectBody = Type.Object({ reason: Type.String({ minLength: 1, maxLength: 2000 }) }, { additionalProperties: false })
