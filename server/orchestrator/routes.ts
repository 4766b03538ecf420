/**
 * The orchestrator's agent protocol over HTTP (seed 001 §6): platform agent tokens, registration,
 * heartbeats, the registry, and the leased task queue agent processes pull from. Registry routes
 * take a platform agent token (`oia_`, minted by an admin) or an admin JWT; an agent token may only
 * act for the instances it registered.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'
import { Type } from '@sinclair/typebox'
import {
  AgentTaskParams, AgentTokenBody, AgentTokenReply, AgentView, HeartbeatBody, HeartbeatReply, LeaseBody, RegisterAgentBody, RegisterAgentReply, TaskResultBody, TaskView,
} from '../../api/agents.ts'
import { IdParams, errorResponses } from '../../api/common.ts'
import { createAgentToken } from '../runtime/token.ts'
import { recordAudit } from '../audit/store.ts'
import type { Deps } from '../deps.ts'
import { errors } from '../errors.ts'
import { actorOf, requireAdmin, requireAgentOrAdmin } from '../http/auth.ts'
import { bundledCatalog } from '../cloud/catalog/catalog.ts'
import { analysisRoutes } from './analysis-routes.ts'
import { presentAgent, presentTask } from './present.ts'
import { DEFAULT_HEARTBEAT_MS, DEFAULT_LEASE_MS, healthOf, leaseMs } from './orchestrator.ts'
import { dbNow, getAgent, insertAgent, listAgents, markStopped, recordHeartbeat, renewLease, type AgentRow, type TaskRow } from './store.ts'
import { claimNext, completeTask, getTask, workPackage, type TaskResult } from './tasks.ts'

const tags = ['orchestrator']
/** The agent instance a request may act for: its own registration (agent token) or any (admin). */
async function ownedAgent(req: FastifyRequest, deps: Deps, id: string): Promise<AgentRow> {
  const p = requireAgentOrAdmin(req)
  const a = await getAgent(deps.db, id)
  if (!a) throw new errors.OPT_NOT_FOUND('Agent')
  if (p.kind === 'agent' && a.token_id !== p.tokenId) throw new errors.OPT_AUTH_FORBIDDEN()
  return a
}

/** A task the agent holds right now (claimed by it and running). */
async function heldTask(deps: Deps, agent: AgentRow, taskId: string): Promise<TaskRow> {
  const t = await getTask(deps.db, taskId)
  if (!t) throw new errors.OPT_NOT_FOUND('Task')
  if (t.claimed_by !== agent.id || t.status !== 'running') throw new errors.OPT_TASK_LEASE_LOST(taskId)
  return t
}

/** Orchestrator routes: agent protocol plus analyses. */
export const orchestratorRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  const { db, clock } = deps
  await app.register(analysisRoutes, { deps })

  app.post('/orchestrator/agent-tokens', { schema: { tags, body: AgentTokenBody, response: { 201: AgentTokenReply, ...errorResponses } } }, async (req, reply) => {
    const admin = requireAdmin(req)
    const { token, id } = await db.tx(async (tx) => {
      const minted = await createAgentToken(tx, req.body.label ?? 'agent process')
      await recordAudit(tx, clock, { customerId: null, actor: actorOf(admin), action: 'agent_token:created', subjectType: 'access_token', subjectId: minted.id })
      return minted
    })
    return reply.status(201).send({ token, token_id: id })
  })

  app.delete('/orchestrator/agent-tokens/:id', { schema: { tags, params: IdParams, response: { 200: Type.Object({ revoked: Type.Literal(true) }), ...errorResponses } } }, async (req) => {
    const admin = requireAdmin(req)
    const rows = await db.query<{ id: string }>(`UPDATE access_tokens SET revoked_at = COALESCE(revoked_at, $2) WHERE id = $1 AND kind = 'agent' RETURNING id`, [req.params.id, clock.now()])
    if (!rows.length) throw new errors.OPT_NOT_FOUND('Agent token')
    await recordAudit(db, clock, { customerId: null, actor: actorOf(admin), action: 'agent_token:revoked', subjectType: 'access_token', subjectId: req.params.id })
    return { revoked: true as const }
  })

  app.post('/orchestrator/agents/register', { schema: { tags, body: RegisterAgentBody, response: { 200: RegisterAgentReply, ...errorResponses } } }, async (req) => {
    const p = requireAgentOrAdmin(req)
    const a = await insertAgent(db, { ...req.body, heartbeat_interval_ms: req.body.heartbeat_interval_ms ?? DEFAULT_HEARTBEAT_MS, mode: 'remote', token_id: p.kind === 'agent' ? p.tokenId : null })
    return { registered: true as const, agent_id: a.id, status: a.status, heartbeat_interval_ms: a.heartbeat_interval_ms, lease_ms: DEFAULT_LEASE_MS }
  })

  app.post('/orchestrator/agents/:id/heartbeat', { schema: { tags, params: IdParams, body: HeartbeatBody, response: { 200: HeartbeatReply, ...errorResponses } } }, async (req) => {
    const a = await ownedAgent(req, deps, req.params.id)
    const b = req.body
    await db.tx((tx) => recordHeartbeat(tx, a, { status: b.status, current_tasks: b.current_tasks, load: b.load, customerIds: b.customer_ids ?? [] }))
    const now = await dbNow(db)
    return { ok: true as const, agent_id: a.id, status: healthOf({ ...a, status: b.status, last_heartbeat_at: now }, now), timestamp: now.toISOString() }
  })

  app.post('/orchestrator/agents/:id/deregister', { schema: { tags, params: IdParams, response: { 200: Type.Object({ stopped: Type.Literal(true) }), ...errorResponses } } }, async (req) => {
    await markStopped(db, (await ownedAgent(req, deps, req.params.id)).id)
    return { stopped: true as const }
  })

  app.get('/orchestrator/agents', { schema: { tags, response: { 200: Type.Array(AgentView), ...errorResponses } } }, async (req) => {
    requireAgentOrAdmin(req)
    const now = await dbNow(db)
    return (await listAgents(db)).map((a) => presentAgent(a, now))
  })

  app.get('/orchestrator/agents/:id', { schema: { tags, params: IdParams, response: { 200: AgentView, ...errorResponses } } }, async (req) => {
    return presentAgent(await ownedAgent(req, deps, req.params.id), await dbNow(db))
  })

  app.post('/orchestrator/agents/:id/tasks/claim', { schema: { tags, params: IdParams, body: LeaseBody, response: { 200: Type.Object({ task: Type.Union([TaskView, Type.Null()]) }), ...errorResponses } } }, async (req) => {
    const a = await ownedAgent(req, deps, req.params.id)
    if (healthOf(a, await dbNow(db)) === 'offline') throw new errors.OPT_STATE_INVALID('Agent is offline: send a heartbeat before claiming work')
    const task = await claimNext(deps, a, leaseMs(req.body.lease_ms))
    return { task: task ? presentTask(task) : null }
  })

  app.get('/orchestrator/agents/:id/tasks/:taskId/context', { schema: { tags, params: AgentTaskParams } }, async (req) => {
    const a = await ownedAgent(req, deps, req.params.id)
    const pkg = await workPackage(deps, await heldTask(deps, a, req.params.taskId), bundledCatalog())
    return { context: pkg.context, recommendation: pkg.recommendation }
  })

  app.post('/orchestrator/agents/:id/tasks/:taskId/lease', { schema: { tags, params: AgentTaskParams, body: LeaseBody, response: { 200: Type.Object({ renewed: Type.Boolean() }), ...errorResponses } } }, async (req) => {
    const a = await ownedAgent(req, deps, req.params.id)
    return { renewed: await renewLease(db, req.params.taskId, a.id, leaseMs(req.body.lease_ms)) }
  })

  app.post('/orchestrator/agents/:id/tasks/:taskId/result', { bodyLimit: 32 * 1024 * 1024, schema: { tags, params: AgentTaskParams, body: TaskResultBody, response: { 200: Type.Object({ accepted: Type.Literal(true) }), ...errorResponses } } }, async (req) => {
    const a = await ownedAgent(req, deps, req.params.id)
    const outcome = await completeTask(deps, a.id, req.params.taskId, req.body.result as unknown as TaskResult)
    if (outcome === 'stale') throw new errors.OPT_TASK_LEASE_LOST(req.params.taskId)
    return { accepted: true as const }
  })
}
