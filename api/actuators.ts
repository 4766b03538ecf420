import { Type, type Static } from '@sinclair/typebox'
import { Uuid } from './common.ts'

/** POST /customers/{id}/actuators */
export const CreateActuatorBody = Type.Object({
  kind: Type.Union([Type.Literal('git'), Type.Literal('manual')]),
  repository: Type.Optional(Type.String({ minLength: 1, maxLength: 2048, description: 'https://, ssh:// or git@host:path URL of the deployment repository (local paths only with OPTIINFRA_GITOPS_ALLOW_LOCAL)' })),
  branch: Type.Optional(Type.String({ minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9._/-]+$' })),
  layout: Type.Optional(Type.Union([Type.Literal('kubernetes'), Type.Literal('production-stack')])),
}, { additionalProperties: false })
export type CreateActuatorBody = Static<typeof CreateActuatorBody>

/** A customer's actuator as the API shows it; `head` is the branch's last commit OptiInfra wrote. */
export const ActuatorView = Type.Object({
  id: Uuid,
  customer_id: Uuid,
  kind: Type.String(),
  repository: Type.Union([Type.String(), Type.Null()]),
  branch: Type.Union([Type.String(), Type.Null()]),
  layout: Type.Union([Type.String(), Type.Null()]),
  created_at: Type.String(),
})

/** An instruction of the advisory actuator. */
export const ActuatorAction = Type.Object({
  change_id: Type.String(), deployment_id: Type.String(), instruction: Type.String(),
  created_at: Type.String(), applied_at: Type.Union([Type.String(), Type.Null()]),
})

export const ActuatorParams = Type.Object({ id: Uuid, actuatorId: Uuid })
