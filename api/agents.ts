import { Type, type Static } from '@sinclair/typebox'
import { Uuid } from './common.ts'

/** The four agents. */
export const AgentTypeSchema = Type.Union([Type.Literal('cost'), Type.Literal('performance'), Type.Literal('resource'), Type.Literal('application')])
/** What `POST /orchestrator/analyze` can be asked for. */
export const AnalysisTypeSchema = Type.Union([
  Type.Literal('cost_optimization'), Type.Literal('performance_optimization'), Type.Literal('resource_optimization'), Type.Literal('quality_check'),
])

/** POST /orchestrator/agents/register */
export const RegisterAgentBody = Type.Object({
  agent_type: AgentTypeSchema,
  version: Type.String({ minLength: 1, maxLength: 64 }),
  capabilities: Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 64 }),
  hostname: Type.String({ minLength: 1, maxLength: 255 }),
  heartbeat_interval_ms: Type.Optional(Type.Integer({ minimum: 100, maximum: 600_000 })),
}, { additionalProperties: false })
export type RegisterAgentBody = Static<typeof RegisterAgentBody>
export const RegisterAgentReply = Type.Object({ registered: Type.Literal(true), agent_id: Uuid, status: Type.String(), heartbeat_interval_ms: Type.Integer(), lease_ms: Type.Integer() })

/** POST /orchestrator/agents/{id}/heartbeat */
export const HeartbeatBody = Type.Object({
  status: Type.Union([Type.Literal('active'), Type.Literal('idle'), Type.Literal('busy'), Type.Literal('draining')]),
  current_tasks: Type.Integer({ minimum: 0, maximum: 100_000 }),
  load: Type.Number({ minimum: 0, maximum: 1000 }),
  /** Customers whose work this heartbeat covers. */
  customer_ids: Type.Optional(Type.Array(Uuid, { maxItems: 1000 })),
}, { additionalProperties: false })
export type HeartbeatBody = Static<typeof HeartbeatBody>
export const HeartbeatReply = Type.Object({ ok: Type.Literal(true), agent_id: Uuid, status: Type.String(), timestamp: Type.String() })

/** An agent instance as the orchestrator sees it; `status` is its health judged from heartbeats. */
export const AgentView = Type.Object({
  agent_id: Uuid, agent_type: AgentTypeSchema, version: Type.String(), capabilities: Type.Array(Type.String()), hostname: Type.String(),
  mode: Type.String(), status: Type.Union([Type.Literal('active'), Type.Literal('unhealthy'), Type.Literal('offline')]), reported_status: Type.String(),
  heartbeat_interval_ms: Type.Integer(), current_tasks: Type.Integer(), load: Type.Number(), registered_at: Type.String(), last_heartbeat: Type.String(),
})
export type AgentView = Static<typeof AgentView>

/** `{ id, taskId }` path params. */
export const AgentTaskParams = Type.Object({ id: Uuid, taskId: Uuid })

/** POST /orchestrator/agents/{id}/tasks/claim and …/lease */
export const LeaseBody = Type.Object({ lease_ms: Type.Optional(Type.Integer({ minimum: 1, maximum: 3_600_000 })) }, { additionalProperties: false })

/** A task as agents and status routes see it. */
export const TaskView = Type.Object({
  id: Uuid, customer_id: Uuid, kind: Type.String(), agent_type: AgentTypeSchema, analysis_id: Type.Union([Uuid, Type.Null()]),
  recommendation_id: Type.Union([Uuid, Type.Null()]), status: Type.String(), attempts: Type.Integer(), claimed_by: Type.Union([Uuid, Type.Null()]),
  routed_agent_id: Type.Union([Uuid, Type.Null()]), lease_until: Type.Union([Type.String(), Type.Null()]), error: Type.Union([Type.String(), Type.Null()]),
  created_at: Type.String(), started_at: Type.Union([Type.String(), Type.Null()]), completed_at: Type.Union([Type.String(), Type.Null()]),
})

const Loose = Type.Object({}, { additionalProperties: true })
const QualityScore = Type.Object({ deploymentId: Type.String(), group: Type.Union([Type.Literal('stable'), Type.Literal('canary')]), score: Type.Number({ minimum: 0, maximum: 1 }), samples: Type.Integer({ minimum: 0 }), purpose: Type.String() })

/** POST /orchestrator/agents/{id}/tasks/{taskId}/result: what the agent produced (drafts are re-checked on storage). */
export const TaskResultBody = Type.Object({
  result: Type.Union([
    Type.Object({ kind: Type.Literal('analysis'), output: Type.Object({ findings: Type.Array(Loose, { maxItems: 20_000 }), drafts: Type.Array(Loose, { maxItems: 5_000 }), qualityScores: Type.Array(QualityScore, { maxItems: 5_000 }), sources: Type.Record(Type.String(), Type.String()), durationMs: Type.Number() }) }),
    Type.Object({ kind: Type.Literal('validation'), output: Type.Object({ verdict: Type.Object({ approved: Type.Boolean(), baseline_established: Type.Boolean(), reason: Type.String({ minLength: 1, maxLength: 5000 }), data: Loose }, { additionalProperties: true }), qualityScores: Type.Array(QualityScore, { maxItems: 100 }), durationMs: Type.Number() }) }),
    Type.Object({ kind: Type.Literal('error'), error: Type.String({ minLength: 1, maxLength: 5000 }) }),
  ]),
}, { additionalProperties: false })

/** POST /orchestrator/analyze */
export const OrchestratorAnalyzeBody = Type.Object({ customer_id: Uuid, analysis_type: AnalysisTypeSchema }, { additionalProperties: false })
export const OrchestratorAnalyzeReply = Type.Object({ routed_to_agent: AgentTypeSchema, task_id: Uuid, analysis_id: Uuid, agent_id: Type.Union([Uuid, Type.Null()]) })

/** POST /customers/{id}/analyze */
export const CustomerAnalyzeBody = Type.Object({ agent_type: Type.Union([AgentTypeSchema, Type.Literal('all')]) }, { additionalProperties: false })
export const CustomerAnalyzeReply = Type.Object({ status: Type.Literal('started'), analysis_id: Uuid, task_ids: Type.Array(Uuid) })

/** An analysis and its tasks. */
export const AnalysisView = Type.Object({
  id: Uuid, analysis_id: Uuid, customer_id: Uuid, status: Type.String(), agent_types: Type.Array(AgentTypeSchema), analysis_type: Type.Union([Type.String(), Type.Null()]),
  trigger: Type.String(), requested_by: Type.String(), results: Loose, recommendation_ids: Type.Array(Uuid), error: Type.Union([Type.String(), Type.Null()]),
  tasks: Type.Array(TaskView), created_at: Type.String(), completed_at: Type.Union([Type.String(), Type.Null()]),
})

/** POST /orchestrator/agent-tokens (admin): a platform agent token, shown once. */
export const AgentTokenBody = Type.Object({ label: Type.Optional(Type.String({ maxLength: 200 })) }, { additionalProperties: false })
export const AgentTokenReply = Type.Object({ token: Type.String(), token_id: Uuid })

/** An agent type's presence for one customer (the dashboard's agents list). */
export const CustomerAgentView = Type.Object({ agent_type: AgentTypeSchema, status: Type.String(), last_heartbeat: Type.Union([Type.String(), Type.Null()]), instances: Type.Integer() })

/** GET /customers/{id}/agent-events */
export const AgentEventsQuery = Type.Object({ event_type: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })) }, { additionalProperties: false })
