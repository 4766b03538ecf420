import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { IdParams, errorResponses } from '../../api/common.ts'
import { ConflictResolution, ExecuteResolutionBody, ExecuteResolutionReply, ResolveConflictBody } from '../../api/optimizations.ts'
import { errors } from '../errors.ts'
import { actorOf, requireCustomerAccess } from '../http/auth.ts'
import type { Deps } from '../deps.ts'
import { executeResolution, getResolution, resolveConflict } from './resolve.ts'
import { listResolutions, type StoredResolution } from './store.ts'

function present(r: StoredResolution) {
  return {
    id: r.id, customer_id: r.customerId, recommendation_ids: r.recommendationIds, conflict_detected: r.conflict_detected, conflicts: r.conflicts,
    resolution_strategy: r.strategy, chosen_recommendation: r.chosen_recommendation,
    hybrid_solution: r.hybrid_solution as Record<string, unknown> | null, execution_order: r.execution_order, rationale: r.rationale,
    status: r.status, optimization_ids: r.optimizationIds, created_at: r.createdAt.toISOString(),
  }
}

/** The orchestrator's conflict resolution: decide, execute, list. */
export const conflictRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  const tags = ['orchestrator']
  app.post('/orchestrator/resolve-conflict', { schema: { tags, body: ResolveConflictBody, response: { 200: ConflictResolution, ...errorResponses } } }, async (req) => {
    const user = requireCustomerAccess(req, req.body.customer_id)
    return present(await resolveConflict(deps, actorOf(user), req.body.customer_id, req.body.recommendation_ids))
  })
  app.post('/orchestrator/execute-resolution', { schema: { tags, body: ExecuteResolutionBody, response: { 200: ExecuteResolutionReply, ...errorResponses } } }, async (req) => {
    const res = await getResolution(deps.db, req.body.resolution_id)
    if (!res) throw new errors.OPT_NOT_FOUND('Conflict resolution')
    const user = requireCustomerAccess(req, res.customerId)
    const { optimizationIds } = await executeResolution(deps, actorOf(user), res)
    return { optimization_id: optimizationIds[0]!, optimization_ids: optimizationIds, resolution_id: res.id, strategy: res.strategy }
  })
  app.get('/orchestrator/conflict-resolutions/:id', { schema: { tags, params: IdParams, response: { 200: ConflictResolution, ...errorResponses } } }, async (req) => {
    const res = await getResolution(deps.db, req.params.id)
    if (!res) throw new errors.OPT_NOT_FOUND('Conflict resolution')
    requireCustomerAccess(req, res.customerId)
    return present(res)
  })
  app.get('/customers/:id/conflict-resolutions', { schema: { tags, params: IdParams, response: { 200: Type.Array(ConflictResolution), ...errorResponses } } }, async (req) => {
    requireCustomerAccess(req, req.params.id)
    return (await listResolutions(deps.db, req.params.id)).map(present)
  })
}
