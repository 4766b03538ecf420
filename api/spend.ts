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

/** GET /customers/{id}/spend/history query: the window in days and the bucket size. */
export const SpendHistoryQuery = Type.Object({
  days: Type.Optional(Type.Integer({ minimum: 1, maximum: 90, default: 7 })),
  /** Default: `hour` for windows of up to 2 days, else `day`; hours are allowed up to 3 days. */
  bucket: Type.Optional(Type.Union([Type.Literal('hour'), Type.Literal('day')])),
}, { additionalProperties: false })

/** GET /customers/{id}/spend/history: what the bill charged per bucket, split by deployment. */
export const SpendHistory = Type.Object({
  from: Type.String(),
  to: Type.String(),
  bucket: Type.Union([Type.Literal('hour'), Type.Literal('day')]),
  total_usd: Type.Number(),
  /** Deployments by cost over the window, most first; null: instances serving none (idle). */
  deployments: Type.Array(Type.Union([Type.String(), Type.Null()])),
  points: Type.Array(Type.Object({
    start: Type.String(),
    /** The last bucket ends now: what it cost so far. */
    end: Type.String(),
    total_usd: Type.Number(),
    by_deployment: Type.Array(Type.Object({ deployment_id: Type.Union([Type.String(), Type.Null()]), usd: Type.Number() })),
  })),
})
export type SpendHistory = Static<typeof SpendHistory>
