/**
 * Response shapes the portal reads. Where the server already publishes a TypeBox schema in `api/`
 * the type is imported from there (type-only, so nothing of TypeBox reaches the bundle); the rest
 * follow the contract of DESIGN.md §6 and issues 3–5 until their schemas land in `api/`.
 * Fields the portal does not strictly need are optional so a leaner server still renders.
 */
import type { AuditEntry, Customer, CustomerEnvironment, LoginReply, SignupBody } from '../../../api/accounts.ts'
import type { Preferences } from '../../../api/common.ts'
import type { MetricPoint as MetricPointSchema } from '../../../api/metrics.ts'
import type {
  ApproveReply as ApproveReplySchema, ConflictResolution as ConflictResolutionSchema, ExecutionStep as ExecutionStepSchema,
  Optimization as OptimizationSchema, OptimizationEvent as OptimizationEventSchema, SimilarOutcome as SimilarOutcomeSchema,
  SimilarOutcomesReply as SimilarOutcomesReplySchema, ExecuteResolutionReply as ExecuteResolutionReplySchema, RetryReply as RetryReplySchema,
} from '../../../api/optimizations.ts'
import type { Dashboard as DashboardSchema } from '../../../api/dashboard.ts'
import type { Fault as FaultSchema, FaultBody as FaultBodySchema } from '../../../api/simulator.ts'
import type { RecommendationView } from '../../../api/recommendations.ts'
import type { AgentView as AgentViewSchema } from '../../../api/agents.ts'
import type { InstallCommandReply as InstallCommandReplySchema, OnboardBody as OnboardBodySchema } from '../../../api/onboarding.ts'
import type { DeploymentSlo as DeploymentSloSchema, SloBody as SloBodySchema } from '../../../api/slo.ts'
import type { Incident as IncidentSchema, ReconcilerAction as ReconcilerActionSchema } from '../../../api/reconciler.ts'
import type { SpendBreakdown as SpendBreakdownSchema, SpendHistory as SpendHistorySchema } from '../../../api/spend.ts'
import type { IdleInstances as IdleInstancesSchema, TerminateIdleReply as TerminateIdleReplySchema } from '../../../api/idle.ts'
import type { DeploymentGates as DeploymentGatesSchema, GateBody as GateBodySchema, GatePolicy as GatePolicySchema } from '../../../api/gates.ts'
import type { CreateTelemetrySourceBody as CreateTelemetrySourceBodySchema, TelemetrySourceView as TelemetrySourceViewSchema } from '../../../api/telemetry-sources.ts'
import type { Static } from '@sinclair/typebox'

export type { AuditEntry, Customer, CustomerEnvironment, LoginReply, SignupBody, Preferences }

/** The error body every API failure answers with. */
export interface ApiErrorBody { code: string; message: string; requestId?: string }

export type Role = 'admin' | 'customer'
export { AGENT_TYPES, RECOMMENDATION_TYPES, RECOMMENDATION_STATUSES } from '../../../api/kinds.ts'
export type { AgentType, RecommendationType, RecommendationStatus, RiskLevel } from '../../../api/kinds.ts'

/** POST /auth/signup answer. */
export interface SignupReply { success: true; customer_id: string; user_id?: string }

/** GET /customers/{id}/users row. */
export interface TeamMember { id: string; email: string; role: Role }

/** Predicted effect of a recommendation, computed by the proposing agent (`predicted` of the API). */
export interface PredictedEffect {
  monthlyCostUsdBefore?: number
  monthlyCostUsdAfter?: number
  p95LatencyMsBefore?: number
  p95LatencyMsAfter?: number
  p99LatencyMsBefore?: number
  p99LatencyMsAfter?: number
  throughputCapacityRatio?: number
  qualityDelta?: number
}

/** A recommendation as GET /recommendations/{id} answers. */
export type Recommendation = RecommendationView

/** Another agent's verdict on a recommendation. */
export type Validation = Recommendation['validations'][number]

/** GET /recommendations/{id}/similar-outcomes item. */
export type SimilarOutcome = Static<typeof SimilarOutcomeSchema>

/** GET /recommendations/{id}/similar-outcomes: past outcomes and how they adjust this recommendation. */
export type SimilarOutcomes = Static<typeof SimilarOutcomesReplySchema>

/** POST /recommendations/{id}/approve answer. */
export type ApproveReply = Static<typeof ApproveReplySchema>

/** POST /optimizations/{id}/retry answer: the recommendation carrying the change again. */
export type RetryReply = Static<typeof RetryReplySchema>

export type OptimizationStatus = 'pending' | 'running' | 'paused' | 'completed' | 'failed' | 'rolled_back'

/** One step of an optimization's execution plan (`detail` carries canary weight, verdicts, stable vs canary). */
export type ExecutionStep = ExecutionStepSchema

/** GET /optimizations/{id}. */
export type Optimization = OptimizationSchema

/** GET /optimizations/{id}/events item: the rollout's own log. */
export type OptimizationEvent = Static<typeof OptimizationEventSchema>

/** An agent process as the orchestrator's registry shows it (admin). */
export type AgentStatus = Static<typeof AgentViewSchema>

/** GET /portal/customers/{id}/dashboard. */
export type Dashboard = DashboardSchema

export const METRIC_TYPES = [
  'monthly_cost', 'hourly_cost', 'p95_latency_ms', 'p99_latency_ms', 'throughput_rps',
  'error_rate', 'gpu_utilization', 'kv_cache_usage', 'quality_score',
  'ttft_p95_ms', 'itl_p95_ms', 'generation_tokens_per_sec', 'requests_running', 'queue_depth', 'preemptions_per_sec',
] as const
export type MetricType = (typeof METRIC_TYPES)[number]

/** One chronological point of GET /customers/{id}/metrics. */
export type MetricPoint = MetricPointSchema

/** An instance of the customer's fleet (GET /customers/{id}/infrastructure). */
export interface Instance {
  instance_id: string
  instance_type: string
  cloud?: string
  region?: string
  pricing?: string
  gpu_type?: string
  gpu_count?: number
  state?: string
  deployment_id?: string | null
  group?: string | null
  hourly_cost?: number
  monthly_cost?: number
  launched_at?: string | null
  interruption_at?: string | null
}

/** A vLLM deployment of the customer's fleet, with its engine config and observed signals. */
export interface VllmDeployment {
  deployment_id: string
  name?: string
  model?: string
  model_params_b?: number
  cloud?: string
  region?: string
  instance_ids?: string[]
  canary_instance_ids?: string[]
  canary_weight?: number
  requests_per_second?: number
  avg_latency_p95?: number | null
  p99_latency_ms?: number | null
  gpu_utilization?: number | null
  latency_critical?: boolean
  slo?: { p95_ms?: number; p99_ms?: number; max_error_rate?: number; min_quality?: number }
  engine_config?: Record<string, unknown>
  monthly_cost?: number
  /** Desired state (server/desired): generation, spec, and what really runs. */
  generation?: number
  desired?: { pools: { cloud: string; region: string; instanceType: string; pricing: string; count: number }[]; engine: Record<string, unknown>; constraints: Record<string, unknown> }
  observed?: { healthy_instances: number; in_sync: boolean; instances: { instance_id: string; healthy: boolean; pricing: string; state: string }[] }
  /** Set while a change rolls out and just after it: agents judge the deployment again from `until` (null: the change still runs). */
  settling?: { since: string; until: string | null; reason: string } | null
}

/** GET /customers/{id}/infrastructure (instances and deployments are listed once discovered). */
export interface Infrastructure {
  status: 'pending' | 'discovering' | 'discovered' | 'failed' | string
  cloud_provider?: string | null
  region?: string | null
  error?: string | null
  discovered_at?: string | null
  instances: Instance[]
  vllm_deployments: VllmDeployment[]
}

/** GET /customers/{id}/spend: the bill's run-rate split by deployment, idle capacity on its own line. */
export type SpendBreakdown = SpendBreakdownSchema

/** GET /customers/{id}/spend/history: what the bill charged per hour or day, by deployment. */
export type SpendHistory = SpendHistorySchema

/** GET /customers/{id}/idle-instances and the answer to terminating one. */
export type IdleInstances = IdleInstancesSchema
export type TerminateIdleReply = TerminateIdleReplySchema

/** A conflict resolution decided by the orchestrator. */
export type ConflictResolution = Static<typeof ConflictResolutionSchema>

/** POST /orchestrator/execute-resolution answer. */
export type ExecuteResolutionReply = Static<typeof ExecuteResolutionReplySchema>

/** POST /customers/{id}/onboard body. */
export type OnboardBody = OnboardBodySchema

/** GET /customers/{id}/agent-install-command: a fresh runtime token, shown once. */
export type InstallCommand = Static<typeof InstallCommandReplySchema>

export const FAULT_KINDS = ['quality_degradation', 'latency_spike', 'error_burst', 'spot_interruption', 'launch_failure', 'capacity_shortage'] as const
export const FAULT_TARGETS = ['canary', 'stable', 'all'] as const

/** POST /admin/simulator/faults body. */
export type FaultBody = FaultBodySchema

/** An injected simulator fault. */
export type Fault = FaultSchema

/** GET /customers/{id}/agent-tokens row: a runtime token (never its secret) and its connections. */
export interface RuntimeToken { id: string; label: string; created_at: string | null; revoked_at: string | null; connections: number; last_seen_at: string | null }

/** A message of WS /ws/customers/{id}: an invalidation hint, never the truth. */
export interface LiveMessage { type: string; customerId: string; id?: string; data?: Record<string, unknown>; at: string }

/** A deployment's SLO, declared or proposed (issue 10). */
export type DeploymentSlo = Static<typeof DeploymentSloSchema>
export type SloBody = SloBodySchema
/** A deployment's canary gate records and the plan of a canary starting now. */
export type DeploymentGates = Static<typeof DeploymentGatesSchema>
export type GatePolicy = Static<typeof GatePolicySchema>
export type GateBody = GateBodySchema
/** An open incident and a reconciler action. */
export type Incident = IncidentSchema
export type ReconcilerAction = Static<typeof ReconcilerActionSchema>

/** GET /customers/{id}/telemetry-sources item: a connected Prometheus, its health and what it found. */
export type TelemetrySource = Static<typeof TelemetrySourceViewSchema>
/** POST /customers/{id}/telemetry-sources body. */
export type TelemetrySourceBody = Static<typeof CreateTelemetrySourceBodySchema>
