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
  /** POST only: completed changes of the customer the imported bills now settle (docs/connect-a-real-fleet.md). */
  settled_changes: Type.Optional(Type.Integer()),
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

const Window = Type.Object({ from: Type.String(), to: Type.String() })

/** A completed change settled against the imported bill (server/billing/settlement.ts). */
export const BillSettlement = Type.Union([
  Type.Object({ status: Type.Literal('not_applicable'), reason: Type.String() }),
  Type.Object({
    status: Type.Literal('awaiting_bill'), needs_from: Type.String(), needs_until: Type.String({ description: 'an import must cover charge periods up to here' }),
    covered_from: Type.Union([Type.String(), Type.Null()]), covered_until: Type.Union([Type.String(), Type.Null()]),
  }),
  Type.Object({
    status: Type.Literal('settled'),
    before_hourly_usd: Type.Number(), after_hourly_usd: Type.Number(), monthly_cost_before: Type.Number(), monthly_cost_after: Type.Number(),
    actual_savings: Type.Number({ description: 'USD/month from the bill: (before − after) hourly effective cost × 730' }),
    predicted_savings: Type.Number(), prediction_error: Type.Union([Type.Number(), Type.Null()]),
    windows: Type.Object({ before: Window, after: Window }),
    unbilled: Type.Array(Type.String(), { description: 'resources the bill holds no usage of in their window' }),
  }),
])
export type BillSettlement = Static<typeof BillSettlement>
