import { Type, type Static } from '@sinclair/typebox'
import { Uuid } from './common.ts'

/** An imported billing export (POST /customers/{id}/bills answers one, GET lists them). */
export const BillImport = Type.Object({
  id: Uuid,
  customer_id: Uuid,
  format: Type.Literal('focus'),
  rows: Type.Integer({ description: 'bill lines stored' }),
  currency: Type.String(),
  billing_period_start: Type.String({ format: 'date-time' }),
  billing_period_end: Type.String({ format: 'date-time' }),
  total_effective_cost: Type.Number({ description: 'Σ EffectiveCost (after commitments and discounts): what spend means' }),
  total_billed_cost: Type.Number({ description: 'Σ BilledCost (what the invoice charges)' }),
  imported_by: Type.String(),
  created_at: Type.String({ format: 'date-time' }),
})

export const ImportQuery = Type.Object({ format: Type.Optional(Type.Literal('focus')) }, { additionalProperties: false })

/** GET /customers/{id}/bills/export */
export const ExportQuery = Type.Object({
  format: Type.Literal('focus'),
  start_time: Type.Optional(Type.String({ maxLength: 40, description: 'ISO-8601 or epoch seconds; default: 24 h before end_time' })),
  end_time: Type.Optional(Type.String({ maxLength: 40, description: 'ISO-8601 or epoch seconds; default: now (fleet time)' })),
}, { additionalProperties: false })
export type ExportQuery = Static<typeof ExportQuery>

/** GET /customers/{id}/bills/costs: effective cost per resource from the imported lines. */
export const CostsQuery = Type.Object({
  start_time: Type.String({ maxLength: 40 }),
  end_time: Type.String({ maxLength: 40 }),
}, { additionalProperties: false })
export const ResourceCosts = Type.Array(Type.Object({ resource_id: Type.Union([Type.String(), Type.Null()]), effective_cost: Type.Number() }))
