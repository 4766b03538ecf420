import { Type, type Static, type TSchema } from '@sinclair/typebox'

/** `t` or null. */
export const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()])

/** A UUID path parameter: anything else (e.g. `1' OR '1'='1`) is a 400 before any query runs. */
export const Uuid = Type.String({ format: 'uuid' })

/** `{ id }` path params. */
export const IdParams = Type.Object({ id: Uuid })
export type IdParams = Static<typeof IdParams>

/** The body of every error answer. */
export const ErrorBody = Type.Object({ code: Type.String(), message: Type.String(), requestId: Type.String() })
export type ErrorBody = Static<typeof ErrorBody>

/** Standard error responses for route schemas. */
export const errorResponses = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody }

/** Plans a customer can be on. */
export const Plan = Type.Union([Type.Literal('starter'), Type.Literal('pro'), Type.Literal('enterprise')])

/**
 * A customer's constraints on one deployment ("never spot", a pinned GPU family or cloud, a budget
 * ceiling): enforced when recommending, validating, approving and before each rollout step.
 */
export const DeploymentConstraints = Type.Object({
  never_spot: Type.Optional(Type.Boolean()),
  gpu_family: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
  cloud: Type.Optional(Type.Union([Type.Literal('aws'), Type.Literal('gcp')])),
  max_monthly_usd: Type.Optional(Type.Number({ minimum: 0, maximum: 1e9 })),
}, { additionalProperties: false })
export type DeploymentConstraints = Static<typeof DeploymentConstraints>

/** Customer preferences kept for the orchestrator's conflict rules. */
export const Preferences = Type.Object({
  risk_tolerance: Type.Optional(Type.Union([Type.Literal('low'), Type.Literal('medium'), Type.Literal('high')])),
  never_spot_deployments: Type.Optional(Type.Array(Type.String({ maxLength: 200 }), { maxItems: 500 })),
  priority: Type.Optional(Type.Union([Type.Literal('cost'), Type.Literal('performance'), Type.Literal('balanced')])),
  latency_slo_p95_ms: Type.Optional(Type.Number({ minimum: 1, maximum: 600_000 })),
  latency_slo_p99_ms: Type.Optional(Type.Number({ minimum: 1, maximum: 600_000 })),
  max_error_rate: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
  min_quality_score: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
  /** Per deployment id. `never_spot_deployments` still counts as `never_spot` for the ones it names. */
  deployment_constraints: Type.Optional(Type.Record(Type.String({ maxLength: 200 }), DeploymentConstraints, { maxProperties: 500 })),
}, { additionalProperties: false })
export type Preferences = Static<typeof Preferences>
