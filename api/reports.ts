/** Schemas of the executive savings report (seed 003 stage 4), shared by the API and the portal. */
import { Type, type Static } from '@sinclair/typebox'
import { Nullable } from './common.ts'

/** Formats the savings report renders to. */
export const REPORT_FORMATS = ['json', 'html', 'csv', 'pdf'] as const
/** One of REPORT_FORMATS. */
export type ReportFormat = (typeof REPORT_FORMATS)[number]

/** `?format=` of GET /customers/{id}/reports/savings (json by default). */
export const SavingsReportQuery = Type.Object({
  format: Type.Optional(Type.Union(REPORT_FORMATS.map((f) => Type.Literal(f)))),
}, { additionalProperties: false })

const Str = Type.String()
const NStr = Type.Union([Type.String(), Type.Null()])

/** One optimization's realized vs predicted savings (USD/month). */
export const ReportOptimization = Type.Object({
  id: Str, recommendation_id: NStr, type: Str, title: Str, deployment_id: NStr, status: Str,
  started_at: NStr, completed_at: NStr, predicted_savings: Nullable(Type.Number()), actual_savings: Nullable(Type.Number()),
  realization: Nullable(Type.Number()), rollback_reason: NStr,
  /** A completed change judged from the bill: `improved`, or `regressed` (with `note` saying why); null otherwise. */
  outcome: NStr, note: NStr,
  /** Whether `actual_savings` is settled from the imported FOCUS bill (else the provider's run-rate at completion). */
  settled_from_bill: Type.Optional(Type.Boolean()),
})

/** An open, validated recommendation ranked by estimated savings. */
export const ReportOpportunity = Type.Object({
  rank: Type.Integer(), id: Str, type: Str, title: Str, agent_type: Str, risk_level: Str, deployment_id: NStr, estimated_savings: Type.Number(),
})

/** A finding with the numbers supporting it. */
export const ReportInsight = Type.Object({ kind: Str, text: Str, data: Type.Record(Type.String(), Type.Union([Type.Number(), Type.String(), Type.Null()])) })

/** The executive savings report of one customer. */
export const SavingsReport = Type.Object({
  customer_id: Str, company_name: Str, generated_at: Str,
  spend: Type.Object({
    before_monthly: Nullable(Type.Number()), before_at: NStr, current_monthly: Type.Number(),
    change: Nullable(Type.Number()), change_pct: Nullable(Type.Number()),
    /** The bill over the last 30 days, or since billing began when that is shorter (`covered_from`, `covered_hours`). */
    bill_30d: Type.Object({ from: Str, to: Str, covered_from: Str, covered_hours: Type.Number(), total: Type.Number(), by_pricing: Type.Record(Type.String(), Type.Number()) }),
  }),
  totals: Type.Object({
    optimizations: Type.Integer(), completed: Type.Integer(), regressed: Type.Integer(), rolled_back: Type.Integer(), failed: Type.Integer(),
    predicted_savings: Type.Number(), realized_savings: Type.Number(), realization: Nullable(Type.Number()), open_potential_savings: Type.Number(),
  }),
  optimizations: Type.Array(ReportOptimization),
  open_recommendations: Type.Array(ReportOpportunity),
  insights: Type.Array(ReportInsight),
})
export type SavingsReport = Static<typeof SavingsReport>
export type ReportOptimization = Static<typeof ReportOptimization>
export type ReportOpportunity = Static<typeof ReportOpportunity>
export type ReportInsight = Static<typeof ReportInsight>
