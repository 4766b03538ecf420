import { Type, type Static } from '@sinclair/typebox'

const Num = Type.Union([Type.Number(), Type.Null()])

/** GET /customers/{id}/spend: the bill's run-rate split by deployment. */
export const SpendBreakdown = Type.Object({
  at: Type.String(),
  /** Monthly run-rate (USD) from the bill, the dashboard's `current_spend`; the lines add up to it. */
  monthly_usd: Type.Number(),
  /** Token-rate window the per-token costs are measured over, in minutes of fleet time. */
  token_window_minutes: Type.Number(),
  deployments: Type.Array(Type.Object({
    /** null: instances billed while serving no deployment (idle capacity). */
    deployment_id: Type.Union([Type.String(), Type.Null()]),
    monthly_usd: Type.Number(),
    instances: Type.Integer(),
    /** Observed prompt + generated tokens per second (stable group), null without telemetry. */
    tokens_per_sec: Num,
    usd_per_million_tokens: Num,
  })),
})
export type SpendBreakdown = Static<typeof SpendBreakdown>
