/**
 * The typed API client: one function per endpoint the portal uses, named for what it does.
 * Paths and fields follow DESIGN.md §6 and issues 2–5; every figure the portal shows comes from here.
 */
import { peekPrefetch, request, takePrefetch, type Query } from './client.ts'
import type { DeploymentGates, DeploymentSlo, GateBody, GatePolicy, ReconcilerAction, SloBody, TelemetrySource, TelemetrySourceBody } from './types.ts'
import type {
  AgentStatus, AgentType, ApproveReply, AuditEntry, ConflictResolution, Customer, CustomerEnvironment, Dashboard, Fault, FaultBody,
  Infrastructure, InstallCommand, LoginReply, MetricPoint, MetricType, OnboardBody, Optimization, Preferences,
  Recommendation, RuntimeToken, SignupBody, SpendBreakdown, SpendHistory, IdleInstances, TerminateIdleReply, SignupReply, SimilarOutcomes, TeamMember, OptimizationEvent, ExecuteResolutionReply, RetryReply,
} from './types.ts'

const enc = encodeURIComponent

// --- auth -------------------------------------------------------------------------------------

/** POST /auth/signup: creates a customer and its first user. */
export const signup = (body: SignupBody) => request<SignupReply>('POST', '/auth/signup', { body, anonymous: true })

/** POST /auth/logout: revokes every token of the signed-in user (all tabs and devices). */
export const logout = () => request<{ logged_out: true }>('POST', '/auth/logout')

/** POST /auth/login: exchanges email + password for a bearer JWT. */
export const login = (username: string, password: string) =>
  request<LoginReply>('POST', '/auth/login', { body: { username, password }, anonymous: true })

/** GET /health: also carries the platform's (possibly time-scaled) clock. */
export const health = () => request<{ status: string; time?: string }>('GET', '/health', { anonymous: true })

// --- customers --------------------------------------------------------------------------------

/** GET /customers: every customer for an admin, the caller's own for a customer. */
export const listCustomers = () => request<Customer[]>('GET', '/customers')

/** GET /customers/{id}. */
export const getCustomer = (id: string) => request<Customer>('GET', `/customers/${enc(id)}`)

/** Whether the customer's fleet is simulated and how its clock runs. */
export const getEnvironment = (id: string) => request<CustomerEnvironment>('GET', `/customers/${enc(id)}/environment`)

/** PATCH /customers/{id}: company name, plan, preferences kept for the orchestrator. */
export const updateCustomer = (id: string, body: { company_name?: string; plan?: string; preferences?: Preferences }) =>
  request<Customer>('PATCH', `/customers/${enc(id)}`, { body })

/** GET /customers/{id}/users: team members. */
export const listTeam = (id: string) => request<TeamMember[]>('GET', `/customers/${enc(id)}/users`)

/** GET /customers/{id}/audit: who changed what, when. */
export const listAudit = (id: string, subjectId?: string) =>
  request<AuditEntry[]>('GET', `/customers/${enc(id)}/audit`, { query: { subject_id: subjectId } })

// --- dashboard, metrics, fleet ----------------------------------------------------------------

/** GET /portal/customers/{id}/dashboard: spend, savings, agents, SLO and quality at a glance. */
export const getDashboard = async (id: string): Promise<Dashboard> => {
  const path = dashboardPath(id)
  return (await takePrefetch<Dashboard>(path)) ?? request<Dashboard>('GET', path)
}

/** The dashboard's path (also what the page-load prefetch requests). */
export const dashboardPath = (id: string) => `/portal/customers/${enc(id)}/dashboard`

/** The dashboard if the page-load prefetch has already brought it (for a first render with figures). */
export const prefetchedDashboard = (id: string) => peekPrefetch<Dashboard>(dashboardPath(id))

/** Query of GET /customers/{id}/metrics. */
export interface MetricsQuery { metric_type: MetricType; start_time?: string; end_time?: string; deployment_id?: string; group?: 'stable' | 'canary' }

/** GET /customers/{id}/metrics: chronological points of one metric. */
export const getMetrics = (id: string, q: MetricsQuery) =>
  request<MetricPoint[]>('GET', `/customers/${enc(id)}/metrics`, { query: q as unknown as Query })

/** GET /customers/{id}/infrastructure: discovered instances and vLLM deployments. */
export const getInfrastructure = (id: string) => request<Infrastructure>('GET', `/customers/${enc(id)}/infrastructure`)

/** GET /customers/{id}/spend: where the bill's money goes, by deployment, with idle capacity and cost per million tokens. */
export const getSpend = (id: string) => request<SpendBreakdown>('GET', `/customers/${enc(id)}/spend`)

/** GET /customers/{id}/spend/history: cost per hour (1 day) or per day, by deployment, from the bill. */
export const getSpendHistory = (id: string, days: number) => request<SpendHistory>('GET', `/customers/${enc(id)}/spend/history?days=${days}`)

/** GET /customers/{id}/idle-instances: instances billed while serving no deployment, with what each costs. */
export const getIdleInstances = (id: string) => request<IdleInstances>('GET', `/customers/${enc(id)}/idle-instances`)

/** POST /customers/{id}/idle-instances/{instance}/terminate: stops paying for an idle instance (audited). */
export const terminateIdleInstance = (id: string, instanceId: string) =>
  request<TerminateIdleReply>('POST', `/customers/${enc(id)}/idle-instances/${enc(instanceId)}/terminate`, { body: {} })

/** POST /customers/{id}/onboard: connects a cloud account and starts discovery. */
export const onboard = (id: string, body: OnboardBody) => request<{ status: string; discovery_status?: string }>('POST', `/customers/${enc(id)}/onboard`, { body })

/** GET /customers/{id}/agent-install-command: a fresh agent-runtime token and the command using it. */
export const getInstallCommand = (id: string) => request<InstallCommand>('GET', `/customers/${enc(id)}/agent-install-command`)

/** GET /customers/{id}/agent-tokens: the customer's runtime tokens and their connections. */
export const listRuntimeTokens = (id: string) => request<RuntimeToken[]>('GET', `/customers/${enc(id)}/agent-tokens`)

/** DELETE /customers/{id}/agent-tokens/{tokenId}: revokes a runtime token. */
export const revokeRuntimeToken = (id: string, tokenId: string) => request<{ revoked: true }>('DELETE', `/customers/${enc(id)}/agent-tokens/${enc(tokenId)}`)

/** GET /customers/{id}/telemetry-sources: connected Prometheus servers with their health and discovered fleet. */
export const listTelemetrySources = (id: string) => request<TelemetrySource[]>('GET', `/customers/${enc(id)}/telemetry-sources`)

/** POST /customers/{id}/telemetry-sources: connects a Prometheus (answers after a first poll). */
export const addTelemetrySource = (id: string, body: TelemetrySourceBody) => request<TelemetrySource>('POST', `/customers/${enc(id)}/telemetry-sources`, { body })

/** DELETE /customers/{id}/telemetry-sources/{sourceId}: disconnects a source. */
export const removeTelemetrySource = (id: string, sourceId: string) => request<null>('DELETE', `/customers/${enc(id)}/telemetry-sources/${enc(sourceId)}`)

/** POST /customers/{id}/analyze: asks one agent to analyse the fleet now. */
export const analyze = (id: string, agentType: AgentType) =>
  request<{ status: string; analysis_id: string }>('POST', `/customers/${enc(id)}/analyze`, { body: { agent_type: agentType } })

// --- recommendations --------------------------------------------------------------------------

/** Filters of the recommendations list. */
export interface RecommendationFilters { status?: string; type?: string; agent_type?: string }

/** GET /customers/{id}/recommendations. */
export const listRecommendations = (id: string, f: RecommendationFilters = {}) =>
  request<Recommendation[]>('GET', `/customers/${enc(id)}/recommendations`, { query: { ...f } })

/** GET /recommendations/{id}. */
export const getRecommendation = (id: string) => request<Recommendation>('GET', `/recommendations/${enc(id)}`)

/** GET /recommendations/{id}/similar-outcomes: what happened when similar changes ran before. */
export const getSimilarOutcomes = (id: string) => request<SimilarOutcomes>('GET', `/recommendations/${enc(id)}/similar-outcomes`)

/** POST /recommendations/{id}/approve: starts the optimization (idempotent on the server). */
export const approveRecommendation = (id: string) => request<ApproveReply>('POST', `/recommendations/${enc(id)}/approve`, { body: {} })

/** POST /recommendations/{id}/reject with the customer's reason. */
export const rejectRecommendation = (id: string, reason: string) =>
  request<Recommendation>('POST', `/recommendations/${enc(id)}/reject`, { body: { reason } })

// --- optimizations ----------------------------------------------------------------------------

/** GET /optimizations/{id}: status, steps and result of one rollout. */
export const getOptimization = (id: string) => request<Optimization>('GET', `/optimizations/${enc(id)}`)

/** GET /optimizations/{id}/events: the rollout's own log (step started, baking, verdicts). */
export const getOptimizationEvents = (id: string) => request<OptimizationEvent[]>('GET', `/optimizations/${enc(id)}/events`)

/** GET /customers/{id}/optimizations: past and running optimizations. */
export const listOptimizations = (id: string) => request<Optimization[]>('GET', `/customers/${enc(id)}/optimizations`)

/** POST /optimizations/{id}/pause: holds a rollout at its current traffic weights until resumed or aborted. */
export const pauseOptimization = (id: string, reason: string) => request<Optimization>('POST', `/optimizations/${enc(id)}/pause`, { body: { reason } })

/** POST /optimizations/{id}/promote: a baking canary skips the rest of its current analysis (Argo's promote). */
export const promoteOptimization = (id: string) => request<Optimization>('POST', `/optimizations/${enc(id)}/promote`, { body: {} })

/** POST /optimizations/{id}/resume: continues a rollout paused for a human. */
export const resumeOptimization = (id: string) => request<Optimization>('POST', `/optimizations/${enc(id)}/resume`, { body: {} })

/** POST /optimizations/{id}/retry: proposes a rolled-back or failed change again, for validation and approval. */
export const retryOptimization = (id: string) => request<RetryReply>('POST', `/optimizations/${enc(id)}/retry`, { body: {} })

/** POST /optimizations/{id}/abort: rolls a rollout back to the original configuration. */
export const abortOptimization = (id: string, reason?: string) =>
  request<Optimization>('POST', `/optimizations/${enc(id)}/abort`, { body: reason ? { reason } : {} })

// --- conflicts --------------------------------------------------------------------------------

/** GET /customers/{id}/conflict-resolutions: resolutions the orchestrator decided. */
export const listConflicts = (id: string) => request<ConflictResolution[]>('GET', `/customers/${enc(id)}/conflict-resolutions`)

/** POST /orchestrator/resolve-conflict: asks the orchestrator to resolve a set of recommendations. */
export const resolveConflict = (customerId: string, recommendationIds: string[]) =>
  request<ConflictResolution>('POST', '/orchestrator/resolve-conflict', { body: { customer_id: customerId, recommendation_ids: recommendationIds } })

/** POST /orchestrator/execute-resolution: executes a resolution (starts its optimization). */
export const executeResolution = (resolutionId: string) =>
  request<ExecuteResolutionReply>('POST', '/orchestrator/execute-resolution', { body: { resolution_id: resolutionId } })

// --- admin ------------------------------------------------------------------------------------

/** GET /orchestrator/agents: registered agents and their health (admin). */
export const listAgents = () => request<AgentStatus[]>('GET', '/orchestrator/agents')

/** POST /admin/simulator/faults: injects a fault in the simulated fleet (admin, simulator only). */
export const injectFault = (body: FaultBody) => request<Fault>('POST', '/admin/simulator/faults', { body })

/** DELETE /admin/simulator/faults/{id}: clears an injected fault (admin). */
export const clearFault = (id: string) => request<Fault>('DELETE', `/admin/simulator/faults/${enc(id)}`)

/** GET /admin/simulator/faults: faults injected for one customer (admin). */
export const listFaults = (customerId: string) => request<Fault[]>('GET', '/admin/simulator/faults', { query: { customer_id: customerId } })

// --- SLOs and the reconciler ---------------------------------------------------------------------

/** GET /customers/{id}/slos: every deployment's SLO, proposals marked `source: "proposed"`. */
export const listSlos = (id: string) => request<DeploymentSlo[]>('GET', `/customers/${enc(id)}/slos`)
/** PUT /customers/{id}/deployments/{deploymentId}/slo: declare (or confirm) a deployment's SLO. */
export const putSlo = (id: string, deploymentId: string, body: SloBody) => request<DeploymentSlo>('PUT', `/customers/${enc(id)}/deployments/${enc(deploymentId)}/slo`, { body })
/** GET /customers/{id}/deployments/{deploymentId}/gates: the canary gate records and the plan of a canary starting now. */
export const getGates = (id: string, deploymentId: string) => request<DeploymentGates>('GET', `/customers/${enc(id)}/deployments/${enc(deploymentId)}/gates`)
/** PUT /customers/{id}/deployments/{deploymentId}/gates/{gate}: declare one gate. */
export const putGate = (id: string, deploymentId: string, gate: string, body: GateBody) => request<GatePolicy>('PUT', `/customers/${enc(id)}/deployments/${enc(deploymentId)}/gates/${enc(gate)}`, { body })
/** DELETE /customers/{id}/deployments/{deploymentId}/gates/{gate}: return one gate to its default. */
export const resetGate = (id: string, deploymentId: string, gate: string) => request<GatePolicy>('DELETE', `/customers/${enc(id)}/deployments/${enc(deploymentId)}/gates/${enc(gate)}`)
/** GET /customers/{id}/reconciler/actions: what the reconciler did, newest first. */
export const listReconcilerActions = (id: string) => request<ReconcilerAction[]>('GET', `/customers/${enc(id)}/reconciler/actions`)
