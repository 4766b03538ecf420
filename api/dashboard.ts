import { Type, type Static } from '@sinclair/typebox'
import { Uuid } from './common.ts'
import { Incident } from './reconciler.ts'

const Num = Type.Union([Type.Number(), Type.Null()])

/** GET /portal/customers/{id}/dashboard: every figure computed by the server from stored data. */
export const Dashboard = Type.Object({
  customer_id: Uuid,
  at: Type.String(),
  /**
   * Monthly spend (USD): the provider's run-rate from its bill (what the fleet costs now) where the
   * provider bills the customer's fleet; for a fleet the provider does not run (connected through
   * Prometheus and FOCUS exports only), the last whole day of imported bill at a monthly rate.
   */
  current_spend: Type.Number(),
  /** Where `current_spend` comes from (null: neither has anything yet). */
  spend_source: Type.Optional(Type.Union([Type.Literal('provider_run_rate'), Type.Literal('imported_bill'), Type.Null()])),
  /** The last whole UTC day the imported FOCUS bills cover: its effective cost and the monthly rate it runs at (null before one is imported). */
  billed_day: Type.Optional(Type.Union([Type.Object({ day: Type.String(), effective_cost: Type.Number(), monthly_rate: Type.Number() }), Type.Null()])),
  /**
   * Estimated monthly savings of the best compatible set of validated pending recommendations: at
   * most the best alternative of each `exclusive_group`, never more than `current_spend`.
   */
  potential_savings: Type.Number(),
  /** Σ measured monthly savings of completed optimizations: settled from the imported FOCUS bill where it covers them, else from the provider's run-rate at completion. */
  realized_savings: Type.Number(),
  /** How many completed optimizations' savings are settled from the imported bill. */
  realized_settled: Type.Optional(Type.Object({ settled: Type.Integer(), completed: Type.Integer() })),
  recommendations: Type.Array(Type.Object({
    id: Uuid, type: Type.String(), title: Type.String(), agent_type: Type.String(), risk_level: Type.String(), status: Type.String(),
    estimated_savings: Type.Number(), validated: Type.Boolean(), deployment_id: Type.Union([Type.String(), Type.Null()]),
  })),
  optimizations: Type.Array(Type.Object({
    id: Uuid, recommendation_id: Type.Union([Uuid, Type.Null()]), type: Type.String(), title: Type.String(), status: Type.String(),
    current_step: Type.Union([Type.String(), Type.Null()]), started_at: Type.Union([Type.String(), Type.Null()]),
    completed_at: Type.Union([Type.String(), Type.Null()]), predicted_savings: Num, actual_savings: Num,
  })),
  agents: Type.Array(Type.Object({ agent_type: Type.String(), status: Type.String(), last_heartbeat: Type.Union([Type.String(), Type.Null()]), instances: Type.Integer() })),
  slo: Type.Object({
    compliant: Type.Union([Type.Boolean(), Type.Null()]),
    window_minutes: Type.Number(),
    deployments: Type.Array(Type.Object({
      deployment_id: Type.String(), p95_latency_ms: Num, p99_latency_ms: Num, error_rate: Num,
      limits: Type.Object({ p95_ms: Type.Number(), p99_ms: Type.Number(), error_rate: Type.Number() }),
      compliant: Type.Union([Type.Boolean(), Type.Null()]),
      /** Where OptiInfra knows the deployment from: the provider runs it, or only a connected Prometheus shows it. */
      seen_via: Type.Union([Type.Literal('provider'), Type.Literal('prometheus')]),
    })),
  }),
  quality: Type.Object({
    score: Num,
    deployments: Type.Array(Type.Object({ deployment_id: Type.String(), score: Type.Number(), samples: Type.Integer(), at: Type.String() })),
  }),
  /** Open incidents (a deployment down or violating its SLO), oldest first. */
  incidents: Type.Array(Incident),
})
export type Dashboard = Static<typeof Dashboard>
