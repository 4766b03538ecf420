import { Type, type Static } from '@sinclair/typebox'
import { Uuid } from './common.ts'

/** A deployment's SLO as the customer declares it (latencies in ms). */
export const SloBody = Type.Object({
  ttft_p95_ms: Type.Optional(Type.Union([Type.Number({ minimum: 1, maximum: 600_000 }), Type.Null()])),
  itl_p95_ms: Type.Optional(Type.Union([Type.Number({ minimum: 1, maximum: 60_000 }), Type.Null()])),
  e2e_p95_ms: Type.Number({ minimum: 1, maximum: 3_600_000 }),
  e2e_p99_ms: Type.Number({ minimum: 1, maximum: 3_600_000 }),
  max_error_rate: Type.Number({ minimum: 0, maximum: 1 }),
  min_quality: Type.Number({ minimum: 0, maximum: 1 }),
}, { additionalProperties: false })
export type SloBody = Static<typeof SloBody>

/** A stored (or proposed) SLO. */
export const DeploymentSlo = Type.Object({
  deployment_id: Type.String(),
  ttft_p95_ms: Type.Union([Type.Number(), Type.Null()]),
  itl_p95_ms: Type.Union([Type.Number(), Type.Null()]),
  e2e_p95_ms: Type.Number(),
  e2e_p99_ms: Type.Number(),
  max_error_rate: Type.Number(),
  min_quality: Type.Number(),
  source: Type.Union([Type.Literal('declared'), Type.Literal('proposed')]),
  updated_at: Type.String(),
})

export const DeploymentParams = Type.Object({ id: Uuid, deploymentId: Type.String({ minLength: 1, maxLength: 128 }) })
