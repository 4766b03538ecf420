import { Type, type Static } from '@sinclair/typebox'
import { Uuid } from './common.ts'
import { BillSettlement } from './bills.ts'

/** Status of an optimization (a workflow run). */
export const OptimizationStatus = Type.Union(['pending', 'running', 'paused', 'completed', 'failed', 'rolled_back'].map((s) => Type.Literal(s)))

/** One named execution step; `detail` carries canary weight, analysis verdict and stable-vs-canary numbers. */
export const ExecutionStep = Type.Object({
  name: Type.String(),
  status: Type.Union(['pending', 'running', 'completed', 'failed', 'skipped'].map((s) => Type.Literal(s))),
  started_at: Type.Union([Type.String(), Type.Null()]),
  completed_at: Type.Union([Type.String(), Type.Null()]),
  detail: Type.Record(Type.String(), Type.Unknown()),
})
export type ExecutionStep = Static<typeof ExecutionStep>

/** The outcome: realized savings from the bill vs the prediction (USD/month), or why it failed. */
export const OptimizationResult = Type.Object({
  success: Type.Union([Type.Boolean(), Type.Null()]),
  error: Type.Union([Type.String(), Type.Null()]),
  predicted_savings: Type.Union([Type.Number(), Type.Null()]),
  actual_savings: Type.Union([Type.Number(), Type.Null()]),
  /** A completed change: `improved`, or `regressed` when its realized savings (from the bill) are negative (then success is false). */
  outcome: Type.Optional(Type.Union([Type.Literal('improved'), Type.Literal('regressed')])),
  /** (actual − predicted) / predicted. */
  prediction_error: Type.Optional(Type.Union([Type.Number(), Type.Null()])),
  monthly_cost_before: Type.Optional(Type.Number()),
  monthly_cost_after: Type.Optional(Type.Number()),
  cost_reduction: Type.Optional(Type.Union([Type.Number(), Type.Null()])),
  rollback_reason: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  /** Last paired quality comparison: stable vs canary accuracy, delta = canary − stable. */
  quality: Type.Optional(Type.Union([Type.Object({
    stable_accuracy: Type.Union([Type.Number(), Type.Null()]), canary_accuracy: Type.Union([Type.Number(), Type.Null()]),
    delta: Type.Union([Type.Number(), Type.Null()]), n: Type.Number(),
  }), Type.Null()])),
  /** A completed change's p95 and p99 latency: what the agent predicted and what telemetry measured after promotion. */
  latency: Type.Optional(Type.Object({
    predicted_p95_ms: Type.Union([Type.Number(), Type.Null()]), measured_p95_ms: Type.Union([Type.Number(), Type.Null()]),
    /** (measured − predicted) / predicted; null when either is missing. */
    prediction_error: Type.Union([Type.Number(), Type.Null()]),
    predicted_p99_ms: Type.Optional(Type.Union([Type.Number(), Type.Null()])), measured_p99_ms: Type.Optional(Type.Union([Type.Number(), Type.Null()])),
    /** The same for p99 (absent on changes finished before p99 was predicted). */
    p99_prediction_error: Type.Optional(Type.Union([Type.Number(), Type.Null()])),
    measured_from: Type.Union([Type.String(), Type.Null()]), measured_to: Type.String(), samples: Type.Number(),
  })),
}, { additionalProperties: true })

/** GET /optimizations/{id} */
export const Optimization = Type.Object({
  id: Uuid,
  recommendation_id: Type.Union([Uuid, Type.Null()]),
  customer_id: Uuid,
  type: Type.String(),
  deployment_id: Type.String(),
  title: Type.String(),
  status: OptimizationStatus,
  phase: Type.String(),
  current_step: Type.Union([Type.String(), Type.Null()]),
  pause_reason: Type.Union([Type.String(), Type.Null()]),
  abort_reason: Type.Union([Type.String(), Type.Null()]),
  created_at: Type.String(),
  started_at: Type.Union([Type.String(), Type.Null()]),
  completed_at: Type.Union([Type.String(), Type.Null()]),
  execution_steps: Type.Array(ExecutionStep),
  result: OptimizationResult,
  rollback: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
  /** The new group's vLLM arguments; `before` and `changed` against the stable configuration at approval (null for runs approved before it was recorded). */
  engine_args: Type.Union([Type.Object({
    before: Type.Union([Type.Array(Type.String()), Type.Null()]),
    after: Type.Array(Type.String()),
    changed: Type.Union([Type.Array(Type.Object({ flag: Type.String(), before: Type.Union([Type.String(), Type.Null()]), after: Type.Union([Type.String(), Type.Null()]) })), Type.Null()]),
  }), Type.Null()]),
  /** GET /optimizations/{id} only: the change settled against the imported FOCUS bill, once an import covers it. */
  bill_settlement: Type.Optional(BillSettlement),
})
export type Optimization = Static<typeof Optimization>

/** One entry of an optimization's history. */
export const OptimizationEvent = Type.Object({
  id: Type.Number(), at: Type.String(), step: Type.Union([Type.String(), Type.Null()]), reason: Type.String(),
  message: Type.String(), data: Type.Unknown(),
})

/** POST /recommendations/{id}/approve */
export const ApproveReply = Type.Object({ status: Type.Literal('approved'), optimization_id: Uuid, recommendation_id: Uuid, rechecked: Type.Boolean() })

/** POST /optimizations/{id}/abort */
/** POST /optimizations/{id}/retry: the new pending recommendation carrying the change again (201), or the one already pending (200). */
export const RetryReply = Type.Object({ recommendation_id: Uuid, retry_of: Uuid, created: Type.Boolean(), validations_queued: Type.Integer({ minimum: 0 }) })

export const AbortBody = Type.Object({ reason: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })) }, { additionalProperties: false })

/** POST /optimizations/{id}/pause: the same optional reason, kept in the audit. */
export const PauseBody = AbortBody

/** POST /orchestrator/resolve-conflict */
export const ResolveConflictBody = Type.Object({
  customer_id: Uuid,
  recommendation_ids: Type.Array(Uuid, { minItems: 2, maxItems: 20, uniqueItems: true }),
}, { additionalProperties: false })
export type ResolveConflictBody = Static<typeof ResolveConflictBody>

/** The orchestrator's decision on a set of recommendations. */
export const ConflictResolution = Type.Object({
  id: Uuid,
  customer_id: Uuid,
  recommendation_ids: Type.Array(Uuid),
  conflict_detected: Type.Boolean(),
  conflicts: Type.Array(Type.Unknown()),
  resolution_strategy: Type.Union(['prioritize_customer', 'negotiate_hybrid', 'sequential_execution', 'parallel_execution'].map((s) => Type.Literal(s))),
  chosen_recommendation: Type.Union([Uuid, Type.Null()]),
  hybrid_solution: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
  execution_order: Type.Union([Type.Array(Uuid), Type.Null()]),
  rationale: Type.String(),
  status: Type.String(),
  optimization_ids: Type.Union([Type.Array(Uuid), Type.Null()]),
  created_at: Type.String(),
})

/** POST /orchestrator/execute-resolution */
export const ExecuteResolutionBody = Type.Object({ resolution_id: Uuid }, { additionalProperties: false })
export const ExecuteResolutionReply = Type.Object({ optimization_id: Uuid, optimization_ids: Type.Array(Uuid), resolution_id: Uuid, strategy: Type.String() })

/** A past outcome similar to a recommendation. */
export const SimilarOutcome = Type.Object({
  optimization_id: Type.Union([Uuid, Type.Null()]), recommendation_type: Type.String(), success: Type.Boolean(), status: Type.String(),
  predicted_savings: Type.Number(), actual_savings: Type.Union([Type.Number(), Type.Null()]), prediction_accuracy: Type.Union([Type.Number(), Type.Null()]),
  quality_delta: Type.Union([Type.Number(), Type.Null()]), rollback_reason: Type.Union([Type.String(), Type.Null()]),
  distance: Type.Number(), similarity: Type.Number(), same_customer: Type.Boolean(),
})

/** GET /recommendations/{id}/similar-outcomes */
export const SimilarOutcomesReply = Type.Object({
  recommendation_id: Uuid,
  features: Type.Array(Type.Number()),
  feature_names: Type.Array(Type.String()),
  vector_backend: Type.String(),
  outcomes: Type.Array(SimilarOutcome),
  adjusted: Type.Object({
    confidence: Type.Number(), risk_level: Type.String(), success_rate: Type.Union([Type.Number(), Type.Null()]),
    mean_accuracy: Type.Union([Type.Number(), Type.Null()]), reasons: Type.Array(Type.String()),
  }),
})
