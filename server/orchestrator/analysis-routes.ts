/**
 * Analyses over HTTP: `POST /orchestrator/analyze` (routed by analysis type to an agent, seed 001
 * §6), `POST /customers/{id}/analyze`, `GET /analyses/{id}`, and what a customer sees of the
 * agents working for it (heartbeats, agent events).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'
import { Type } from '@sinclair/typebox'
import {
  AgentEventsQuery, AnalysisView, CustomerAgentView, CustomerAnalyzeBody, CustomerAnalyzeReply, OrchestratorAnalyzeBody, OrchestratorAnalyzeReply, TaskView,
} from '../../api/agents.ts'
import { IdParams, errorResponses } from '../../api/common.ts'
import { ANALYSIS_TYPES, analysisTypeOf } from '../agents/agent.ts'
import { getCustomer } from '../customers/store.ts'
import type { Deps } from '../deps.ts'
import { errors } from '../errors.ts'
import { actorOf, requireCustomerAccess } from '../http/auth.ts'
import { agentTypesOf, startAnalysis } from '../recommendations/analyze.ts'
import { AGENT_TYPES, type AgentType } from '../recommendations/recommendation.ts'
import { healthOf } from './orchestrator.ts'
import { presentTask } from './present.ts'
import { customerHeartbeats, dbNow, getAnalysis, getTask, listAgentEvents, listAgents, listAnalyses, tasksOfAnalysis, type AnalysisRow } from './store.ts'

const tags = ['analyses']
const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null)

/** Who may ask for an analysis of a customer: the customer's users, admins, and platform agents. */
function requireAnalyzeAccess(req: FastifyRequest, customerId: string): void {
  if (req.principal?.kind === 'agent') return
  requireCustomerAccess(req, customerId)
}

async function requireCustomer(deps: Deps, id: string): Promise<void> {
  if (!(await getCustomer(deps.db, id))) throw new errors.OPT_NOT_FOUND('Customer')
}

async function presentAnalysis(deps: Deps, a: AnalysisRow) {
  const tasks = await tasksOfAnalysis(deps.db, a.id)
  const recIds = Object.values(a.result).flatMap((r) => ((r as { recommendation_ids?: string[] }).recommendation_ids ?? []))
  return {
    id: a.id, analysis_id: a.id, customer_id: a.customer_id, status: a.status, agent_types: a.agent_types, analysis_type: a.analysis_type, trigger: a.trigger,
    requested_by: a.requested_by, results: a.result, recommendation_ids: [...new Set(recIds)], error: a.error, tasks: tasks.map(presentTask),
    created_at: iso(a.created_at)!, completed_at: iso(a.completed_at),
  }
}

/** Analysis routes (registered by orchestratorRoutes). */
export const analysisRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  const { db } = deps

  app.post('/orchestrator/analyze', { schema: { tags, body: OrchestratorAnalyzeBody, response: { 200: OrchestratorAnalyzeReply, ...errorResponses } } }, async (req) => {
    requireAnalyzeAccess(req, req.body.customer_id)
    await requireCustomer(deps, req.body.customer_id)
    const agentType: AgentType = ANALYSIS_TYPES[req.body.analysis_type]
    const started = await startAnalysis(deps, { customerId: req.body.customer_id, agentTypes: [agentType], trigger: 'orchestrator', analysisType: req.body.analysis_type, requestedBy: actorOf(req.principal) })
    const task = started.tasks[0]!
    return { routed_to_agent: agentType, task_id: task.taskId, analysis_id: started.analysisId, agent_id: task.routedTo }
  })

  app.get('/orchestrator/tasks/:id', { schema: { tags, params: IdParams, response: { 200: TaskView, ...errorResponses } } }, async (req) => {
    const t = await getTask(db, req.params.id)
    if (!t) throw new errors.OPT_NOT_FOUND('Task')
    requireAnalyzeAccess(req, t.customer_id)
    return presentTask(t)
  })

  app.post('/customers/:id/analyze', { schema: { tags, params: IdParams, body: CustomerAnalyzeBody, response: { 200: CustomerAnalyzeReply, ...errorResponses } } }, async (req) => {
    requireCustomerAccess(req, req.params.id)
    await requireCustomer(deps, req.params.id)
    const types = agentTypesOf(req.body.agent_type)
    const started = await startAnalysis(deps, {
      customerId: req.params.id, agentTypes: types, trigger: 'api', requestedBy: actorOf(req.principal),
      analysisType: types.length === 1 ? analysisTypeOf(types[0]!) : null,
    })
    return { status: 'started' as const, analysis_id: started.analysisId, task_ids: started.tasks.map((t) => t.taskId) }
  })

  app.get('/analyses/:id', { schema: { tags, params: IdParams, response: { 200: AnalysisView, ...errorResponses } } }, async (req) => {
    const a = await getAnalysis(db, req.params.id)
    if (!a) throw new errors.OPT_NOT_FOUND('Analysis')
    requireCustomerAccess(req, a.customer_id)
    return presentAnalysis(deps, a)
  })

  app.get('/customers/:id/analyses', { schema: { tags, params: IdParams, response: { 200: Type.Array(AnalysisView), ...errorResponses } } }, async (req) => {
    requireCustomerAccess(req, req.params.id)
    const out = []
    for (const a of await listAnalyses(db, req.params.id)) out.push(await presentAnalysis(deps, a))
    return out
  })

  app.get('/customers/:id/agents', { schema: { tags, params: IdParams, response: { 200: Type.Array(CustomerAgentView), ...errorResponses } } }, async (req) => {
    requireCustomerAccess(req, req.params.id)
    return customerAgents(deps, req.params.id)
  })

  app.get('/customers/:id/agent-events', { schema: { tags, params: IdParams, querystring: AgentEventsQuery } }, async (req) => {
    requireCustomerAccess(req, req.params.id)
    return listAgentEvents(db, req.params.id, req.query.event_type)
  })
}

/**
 * Per agent type, how it serves one customer: the best health among its instances and the last
 * heartbeat that covered this customer's work (the dashboard's agents list).
 */
export async function customerAgents(deps: Pick<Deps, 'db'>, customerId: string) {
  const now = await dbNow(deps.db)
  const instances = await listAgents(deps.db)
  const beats = await customerHeartbeats(deps.db, customerId)
  const rank = { active: 0, unhealthy: 1, offline: 2 } as const
  return AGENT_TYPES.map((agent_type) => {
    const own = instances.filter((a) => a.agent_type === agent_type).map((a) => healthOf(a, now))
    const status = own.sort((x, y) => rank[x] - rank[y])[0] ?? 'offline'
    const beat = beats.find((b) => b.agent_type === agent_type)
    return { agent_type, status, last_heartbeat: beat ? new Date(beat.last_heartbeat).toISOString() : null, instances: own.filter((h) => h === 'active').length }
  })
}
