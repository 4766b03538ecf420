import { SloBody } from './slo.ts'
import { Type, type Static } from '@sinclair/typebox'
import { Uuid } from './common.ts'

/** POST /customers/{id}/onboard (the ARN / project id format is checked by the route for a clear message). */
export const OnboardBody = Type.Object({
  cloud_provider: Type.Union([Type.Literal('aws'), Type.Literal('gcp')]),
  region: Type.String({ minLength: 1, maxLength: 64 }),
  iam_role_arn: Type.Optional(Type.String({ maxLength: 2048 })),
  project_id: Type.Optional(Type.String({ maxLength: 64 })),
}, { additionalProperties: false })
export type OnboardBody = Static<typeof OnboardBody>
export const OnboardReply = Type.Object({ status: Type.Literal('started'), customer_id: Uuid, discovery_status: Type.String() })

/** GET /customers/{id}/agent-install-command: a fresh runtime token, shown once. */
export const InstallCommandReply = Type.Object({ install_command: Type.String(), agent_token: Type.String(), token_id: Uuid, server: Type.String() })

/** `{ id, tokenId }` path params. */
export const TokenParams = Type.Object({ id: Uuid, tokenId: Uuid })

/** POST /agent-runtime/connect */
export const RuntimeConnectBody = Type.Object({
  customer_id: Uuid,
  agent_token: Type.String({ minLength: 1, maxLength: 512 }),
  hostname: Type.String({ minLength: 1, maxLength: 255 }),
  version: Type.String({ minLength: 1, maxLength: 64 }),
}, { additionalProperties: false })
export type RuntimeConnectBody = Static<typeof RuntimeConnectBody>
export const RuntimeConnectReply = Type.Object({ connected: Type.Literal(true), runtime_id: Uuid, customer_id: Uuid })

/** POST /customers/{id}/infrastructure: the seeds' `test_infrastructure` shape; extra fields are ignored. */
export const InfrastructureBody = Type.Object({
  instances: Type.Array(Type.Object({ instance_type: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: true }), { maxItems: 2000 }),
  vllm_deployments: Type.Array(Type.Object({
    deployment_id: Type.String({ minLength: 1, maxLength: 128 }), model: Type.String({ minLength: 1, maxLength: 200 }),
    instance_ids: Type.Array(Type.String({ minLength: 1, maxLength: 128 }), { minItems: 1, maxItems: 2000 }),
    /** The deployment's SLO; without one the platform proposes one (`source: "proposed"`) for the customer to confirm. */
    slo: Type.Optional(SloBody),
  }, { additionalProperties: true }), { maxItems: 500 }),
}, { additionalProperties: false })
export type InfrastructureBody = Static<typeof InfrastructureBody>
