import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { IdParams, errorResponses } from '../../api/common.ts'
import { AbortBody, ApproveReply, Optimization, OptimizationEvent, PauseBody, RetryReply } from '../../api/optimizations.ts'
import { errors } from '../errors.ts'
import { actorOf, requireCustomerAccess } from '../http/auth.ts'
import { emptyBodyAsObject } from '../http/optional-body.ts'
import type { Deps } from '../deps.ts'
import { approveRecommendation } from './approve.ts'
import { abortOptimization, loadOptimization, pauseOptimization, promoteOptimization, resumeOptimization } from './control.ts'
import { presentOptimization } from './optimization.ts'
import { retryOptimization } from './retry.ts'
import { getRecommendation } from './store.ts'
import { listEvents, listRuns } from '../workflows/store.ts'
import { OPTIMIZATION_KIND } from '../workflows/optimization.ts'
import { settlementOf } from './bill-settlement.ts'

/** Approval and the optimizations it starts: status, steps, result, pause, resume, abort and retry. */
export const optimizationRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  const tags = ['optimizations']

  app.post('/recommendations/:id/approve', { schema: { tags, params: IdParams, response: { 200: ApproveReply, ...errorResponses } } }, async (req) => {
    const rec = await getRecommendation(deps.db, req.params.id)
    if (!rec) throw new errors.OPT_NOT_FOUND('Recommendation')
    const user = requireCustomerAccess(req, rec.customerId)
    return approveRecommendation(deps, actorOf(user), rec.id)
  })

  app.get('/optimizations/:id', { schema: { tags, params: IdParams, response: { 200: Optimization, ...errorResponses } } }, async (req) => {
    const run = await loadOptimization(deps.db, req.params.id)
    requireCustomerAccess(req, run.customerId)
    return { ...presentOptimization(run), bill_settlement: await settlementOf(deps, run) }
  })

  app.get('/optimizations/:id/events', { schema: { tags, params: IdParams, response: { 200: Type.Array(OptimizationEvent), ...errorResponses } } }, async (req) => {
    const run = await loadOptimization(deps.db, req.params.id)
    requireCustomerAccess(req, run.customerId)
    return (await listEvents(deps.db, run.id)).map((e) => ({ id: e.id, at: e.at.toISOString(), step: e.step, reason: e.reason, message: e.message, data: e.data }))
  })

  app.get('/customers/:id/optimizations', { schema: { tags, params: IdParams, response: { 200: Type.Array(Optimization), ...errorResponses } } }, async (req) => {
    requireCustomerAccess(req, req.params.id)
    return (await listRuns(deps.db, req.params.id, OPTIMIZATION_KIND)).map(presentOptimization)
  })

  app.post('/optimizations/:id/resume', { schema: { tags, params: IdParams, response: { 200: Optimization, ...errorResponses } } }, async (req) => {
    const run = await loadOptimization(deps.db, req.params.id)
    const user = requireCustomerAccess(req, run.customerId)
    return presentOptimization(await resumeOptimization(deps, actorOf(user), run.id))
  })

  app.post('/optimizations/:id/pause', { preValidation: emptyBodyAsObject, schema: { tags, params: IdParams, body: PauseBody, response: { 200: Optimization, ...errorResponses } } }, async (req) => {
    const run = await loadOptimization(deps.db, req.params.id)
    const user = requireCustomerAccess(req, run.customerId)
    return presentOptimization(await pauseOptimization(deps, actorOf(user), run.id, req.body?.reason ?? 'requested by a user'))
  })

  app.post('/optimizations/:id/promote', { schema: { tags, summary: 'Promote a baking canary past its current analysis (the next step runs; later analyses still judge it)', params: IdParams, response: { 200: Optimization, ...errorResponses } } }, async (req) => {
    const run = await loadOptimization(deps.db, req.params.id)
    const user = requireCustomerAccess(req, run.customerId)
    return presentOptimization(await promoteOptimization(deps, actorOf(user), run.id))
  })

  app.post('/optimizations/:id/retry', { schema: { tags, summary: 'Propose a rolled-back or failed change again, for fresh validation and approval', params: IdParams, response: { 200: RetryReply, 201: RetryReply, ...errorResponses } } }, async (req, reply) => {
    const run = await loadOptimization(deps.db, req.params.id)
    const user = requireCustomerAccess(req, run.customerId)
    const out = await retryOptimization(deps, actorOf(user), run.id)
    return reply.code(out.created ? 201 : 200).send(out)
  })

  app.post('/optimizations/:id/abort', { preValidation: emptyBodyAsObject, schema: { tags, params: IdParams, body: AbortBody, response: { 200: Optimization, ...errorResponses } } }, async (req) => {
    const run = await loadOptimization(deps.db, req.params.id)
    const user = requireCustomerAccess(req, run.customerId)
    return presentOptimization(await abortOptimization(deps, actorOf(user), run.id, req.body?.reason ?? 'requested by a user'))
  })
}
