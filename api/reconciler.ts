import { Type, type Static } from '@sinclair/typebox'
import { Uuid } from './common.ts'

/** An open (or resolved) incident: a deployment down or violating its SLO. */
export const Incident = Type.Object({
  id: Uuid,
  deployment_id: Type.String(),
  kind: Type.Union([Type.Literal('down'), Type.Literal('slo_violation')]),
  reason: Type.String(),
  opened_at: Type.String(),
  resolved_at: Type.Union([Type.String(), Type.Null()]),
})
export type Incident = Static<typeof Incident>

/** A reconciler action with its reason and outcome. */
export const ReconcilerAction = Type.Object({
  id: Uuid,
  deployment_id: Type.String(),
  kind: Type.Union([Type.Literal('replace'), Type.Literal('floor'), Type.Literal('return_to_spot'), Type.Literal('retire')]),
  reason: Type.String(),
  status: Type.Union([Type.Literal('running'), Type.Literal('done'), Type.Literal('failed')]),
  result: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
  created_at: Type.String(),
  finished_at: Type.Union([Type.String(), Type.Null()]),
})
