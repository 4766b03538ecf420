import { Type, type Static } from '@sinclair/typebox'
import { Uuid } from './common.ts'

const GateName = Type.Union([Type.Literal('quality'), Type.Literal('error_rate'), Type.Literal('latency_p95')])

/** A gate as the customer declares it: tolerated regression, α, minimum and maximum samples. */
export const GateBody = Type.Object({
  tolerance: Type.Number({ description: 'Tolerated regression: accuracy drop (0.01 = 1 pp), error-rate excess over stable (absolute), or p95 ratio − 1' }),
  alpha: Type.Number({ description: 'False-alarm level of the anytime-valid test' }),
  min_samples: Type.Integer({ minimum: 1 }),
  max_samples: Type.Integer({ minimum: 1 }),
}, { additionalProperties: false })
export type GateBody = Static<typeof GateBody>

/** A gate record (declared, or the default derived from the SLO). */
export const GatePolicy = Type.Object({
  gate: GateName,
  metric: Type.String(),
  comparison: Type.String(),
  unit: Type.String(),
  tolerance: Type.Number(),
  alpha: Type.Number(),
  min_samples: Type.Integer(),
  max_samples: Type.Integer(),
  source: Type.Union([Type.Literal('declared'), Type.Literal('default')]),
  updated_at: Type.Union([Type.String(), Type.Null()]),
})

/** A gate's sample size for 80% power and the time a canary starting now needs to collect it. */
export const GatePlanLine = Type.Object({
  gate: GateName,
  needs: Type.Integer(),
  unit: Type.String(),
  minutes: Type.Union([Type.Integer(), Type.Null()]),
  feasible: Type.Boolean(),
  note: Type.String(),
})

/** A deployment's gates and the plan of a canary starting now. */
export const DeploymentGates = Type.Object({
  deployment_id: Type.String(),
  gates: Type.Array(GatePolicy),
  plan: Type.Object({ canary_weight: Type.Number(), rps: Type.Union([Type.Number(), Type.Null()]), interval_s: Type.Number(), prompts_per_interval: Type.Integer(), lines: Type.Array(GatePlanLine) }),
})

export const GateParams = Type.Object({ id: Uuid, deploymentId: Type.String({ minLength: 1, maxLength: 128 }), gate: GateName })
