import { Type, type Static } from '@sinclair/typebox'
import { Plan, Preferences, Uuid } from './common.ts'

/** POST /auth/signup */
export const SignupBody = Type.Object({
  email: Type.String({ format: 'email', maxLength: 254 }),
  company_name: Type.String({ minLength: 1, maxLength: 200 }),
  password: Type.String({ minLength: 1, maxLength: 200 }),
  plan: Type.Optional(Plan),
}, { additionalProperties: false })
export type SignupBody = Static<typeof SignupBody>
export const SignupReply = Type.Object({ success: Type.Literal(true), customer_id: Uuid, user_id: Uuid })

/** POST /auth/login (the seeds name the email field `username`). */
export const LoginBody = Type.Object({
  username: Type.String({ minLength: 1, maxLength: 254 }),
  password: Type.String({ minLength: 1, maxLength: 200 }),
}, { additionalProperties: false })
export type LoginBody = Static<typeof LoginBody>
export const LoginReply = Type.Object({
  access_token: Type.String(), token_type: Type.Literal('bearer'), expires_in: Type.Integer(),
  customer_id: Type.Union([Uuid, Type.Null()]), role: Type.Union([Type.Literal('admin'), Type.Literal('customer')]),
})
export type LoginReply = Static<typeof LoginReply>

/** A customer (tenant) as the API shows it. */
export const Customer = Type.Object({
  id: Uuid, company_name: Type.String(), plan: Type.String(), cloud_provider: Type.Union([Type.String(), Type.Null()]),
  preferences: Preferences, created_at: Type.String(),
})
export type Customer = Static<typeof Customer>

/** POST /customers (admin) */
export const CreateCustomerBody = Type.Object({
  company_name: Type.String({ minLength: 1, maxLength: 200 }),
  plan: Type.Optional(Plan),
  cloud_provider: Type.Optional(Type.Union([Type.Literal('aws'), Type.Literal('gcp')])),
  preferences: Type.Optional(Preferences),
}, { additionalProperties: false })
export type CreateCustomerBody = Static<typeof CreateCustomerBody>

/** PATCH /customers/{id} */
export const PatchCustomerBody = Type.Object({
  company_name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  plan: Type.Optional(Plan),
  preferences: Type.Optional(Preferences),
}, { additionalProperties: false, minProperties: 1 })
export type PatchCustomerBody = Static<typeof PatchCustomerBody>

/** An audit entry. */
export const AuditEntry = Type.Object({
  id: Type.Number(), actor: Type.String(), action: Type.String(), subject_type: Type.String(),
  subject_id: Type.Union([Type.String(), Type.Null()]), detail: Type.Unknown(), at: Type.String(),
})
export type AuditEntry = Static<typeof AuditEntry>

/** A user as the admin API shows it. */
export const UserView = Type.Object({
  id: Type.String(), email: Type.String(), role: Type.Union([Type.Literal('admin'), Type.Literal('customer')]),
  customer_id: Type.Union([Type.String(), Type.Null()]), disabled: Type.Boolean(),
})
/** PATCH /users/{id} (admin). */
export const PatchUserBody = Type.Object({ disabled: Type.Boolean() }, { additionalProperties: false })

/** GET /customers/{id}/environment: what the customer's fleet is and how its clock runs. */
export const CustomerEnvironment = Type.Object({
  simulated: Type.Boolean({ description: 'the fleet is OptiInfra\'s simulator (GPUs, prices, traffic and bills are modelled)' }),
  provider: Type.String({ description: 'the cloud provider implementation: simulator, aws or gcp' }),
  time_scale: Type.Number({ description: 'fleet seconds per wall second (1 on a real fleet)' }),
  fleet_time: Type.String({ description: 'the fleet clock now (ISO 8601)' }),
  wall_time: Type.String({ description: 'the server\'s wall clock now (ISO 8601)' }),
})
export type CustomerEnvironment = Static<typeof CustomerEnvironment>
