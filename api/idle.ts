import { Type, type Static } from '@sinclair/typebox'
import { Uuid } from './common.ts'

/** An instance id as the cloud names it (`i-0abc…`, a GCE name). */
const InstanceId = Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]*$' })

/** POST /customers/{id}/idle-instances/{instance_id}/terminate path. */
export const IdleInstanceParams = Type.Object({ id: Uuid, instance_id: InstanceId })
export type IdleInstanceParams = Static<typeof IdleInstanceParams>

/** GET /customers/{id}/idle-instances: instances billed while serving no deployment. */
export const IdleInstances = Type.Object({
  at: Type.String(),
  /** Sum of the lines: what terminating every idle instance would save a month. */
  monthly_usd: Type.Number(),
  /** Fleet minutes an unassigned instance must have run before it counts as idle. */
  grace_minutes: Type.Number(),
  instances: Type.Array(Type.Object({
    instance_id: Type.String(),
    cloud: Type.String(),
    region: Type.String(),
    instance_type: Type.String(),
    gpu_type: Type.String(),
    gpu_count: Type.Integer(),
    pricing: Type.String(),
    launched_at: Type.String(),
    /** Run-rate from the bill, USD per month: what terminating it saves. */
    monthly_usd: Type.Number(),
    idle_hours: Type.Number(),
  })),
})
export type IdleInstances = Static<typeof IdleInstances>

/** POST /customers/{id}/idle-instances/{instance_id}/terminate answer. */
export const TerminateIdleReply = Type.Object({
  instance_id: Type.String(),
  state: Type.Literal('terminated'),
  monthly_usd_saved: Type.Number(),
  /** True when it was gone already (a repeated request): nothing was done. */
  already_terminated: Type.Boolean(),
})
export type TerminateIdleReply = Static<typeof TerminateIdleReply>
